import numpy as np
import pytest

from conftest import direct_loss
from gdviz import descend, loss_surface, optimum, synthetic
from gdviz.model import slice_coefficients, slice_loss


def test_surface_cells_are_the_mse_in_plotly_orientation(data):
    w_star, b_star = optimum(data)
    w_values = w_star[0] + np.linspace(-2, 2, 7)
    b_values = b_star + np.linspace(-3, 3, 5)
    z = loss_surface(data, w_values, b_values)
    assert z.shape == (5, 7)
    for j in (0, 2, 4):
        for i in (0, 3, 6):
            W = w_star.copy()
            W[0] = w_values[i]
            assert z[j, i] == pytest.approx(direct_loss(data.X, data.y, W, b_values[j]), rel=1e-9)


def test_a_slice_through_one_weight_holds_the_others():
    data = synthetic(n=50, weights=[1.0, -1.0, 2.0], seed=2)
    held = np.array([0.3, 0.7, -0.2])
    z = loss_surface(data, [0.0, 1.0], [0.5, -0.5], feature=1, weights=held)
    W = held.copy()
    W[1] = 1.0
    assert z[1, 1] == pytest.approx(direct_loss(data.X, data.y, W, -0.5), rel=1e-12)
    with pytest.raises(ValueError):
        loss_surface(data, [0.0], [0.0], feature=3)
    with pytest.raises(ValueError):
        loss_surface(data, [0.0], [0.0], weights=[1.0])


def test_the_minimum_of_a_fine_grid_sits_at_the_optimum():
    data = synthetic(n=40, seed=3)
    w_star, b_star = optimum(data)
    w_values = np.linspace(w_star[0] - 1, w_star[0] + 1, 201)
    b_values = np.linspace(b_star - 1, b_star + 1, 201)
    j, i = np.unravel_index(np.argmin(loss_surface(data, w_values, b_values)), (201, 201))
    assert (j, i) == (100, 100)


def test_slice_coefficients_redraw_the_surface_at_every_step():
    data = synthetic(n=60, weights=[1.0, -2.0, 0.5], bias=0.3, seed=5, x_offset=2.0)
    run = descend(data, optimizer="momentum", lr=0.01, steps=20)
    w_values, b_values = np.linspace(-3, 3, 9), np.linspace(-2, 4, 7)
    for feature in range(3):
        coefficients = slice_coefficients(data, run.w, feature)
        for step in (0, 7, 20):
            expected = loss_surface(data, w_values, b_values, feature=feature, weights=run.w[step])
            np.testing.assert_allclose(slice_loss(coefficients, step, w_values, b_values), expected, rtol=1e-10)


def test_heights_are_linear_for_a_bowl_and_log_like_when_the_walls_rise_decades_above_the_path():
    from gdviz.surface import Heights, heights_for
    bowl = np.array([[0.0, 1.0], [2.0, 2.5]])
    assert not heights_for(bowl, [np.array([1.0, 0.5])]).log  # the walls within 3x the path: L itself
    walls = np.array([[0.0, 10.0], [100.0, 2500.0]])
    h = heights_for(walls, [np.array([24.0, 3.6])])
    assert h.log and h.floor == 0.0 and h.scale == pytest.approx(0.24)
    drawn = h(np.array([0.0, 3.6, 24.0, 2500.0]))
    np.testing.assert_allclose(drawn, np.log10(1 + np.array([0.0, 3.6, 24.0, 2500.0]) / 0.24))  # the definition
    assert drawn[2] > 0.45 * drawn[3]  # the path keeps the box's lower half, not its bottom 1%
    values, texts = h.ticks(2500.0)
    assert texts[0] == "0" and "1000" in texts and values == sorted(values)
    assert np.all(np.diff(values) >= drawn[3] / 10 - 1e-12)  # a tenth of the height apart
    assert np.allclose(values, h([float(t.replace("k", "000")) for t in texts]))  # each label at its loss
    assert Heights().ticks(10.0) is None


def test_the_view_box_follows_a_path_that_moves_along_one_coordinate_only():
    from gdviz.surface import view_box
    w0, w1, b0, b1 = view_box([0.0, 0.09], [0.0, -1.87])  # raw faithful: w moves 0.09, b* is 1.87 away
    assert w1 - w0 < 0.2 and w0 < 0.0 < 0.09 < w1  # not a width of 1, where the loss is a wall of 2000
    assert view_box([2.0, 2.0], [1.0, 1.0]) == pytest.approx((1.32, 2.68, 0.32, 1.68))  # a still run keeps a view
