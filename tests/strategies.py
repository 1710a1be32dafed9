"""Hypothesis strategies over fuzz.generate: the same generator `make fuzz` runs."""

from hypothesis import strategies as st

from fuzz import generate


def _strategy(build):
    @st.composite
    def strategy(draw):
        return build(lambda options: draw(st.sampled_from(list(options))))

    return strategy()


vectors = _strategy(generate.vector)
scalars = _strategy(generate.scalar)
matrices = _strategy(generate.matrix)
lecturer_scalars = _strategy(generate.lecturer_scalar)
row_vectors = _strategy(generate.row_vector)
bind, jacobian = generate.bind, generate.jacobian
