"""Weights of tf.keras 1.x's CuDNNLSTM and CuDNNGRU, as LSTM and GRU weights.

Those layers kept each gate's kernel in cuDNN's layout and an input and a recurrent bias
side by side. tf.keras's own loader (`hdf5_format._convert_rnn_weights`) converted them
when a CuDNN model's file was loaded into LSTM/GRU layers; Keras 3 does not, so nnspec
does it here, the same way: each gate's input kernel read in the other memory order, each
recurrent kernel transposed, LSTM's two biases summed, GRU's stacked as reset_after's."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ...spec.graph import LayerInfo, ModelWeight

GATES = {"LSTM": 4, "GRU": 3}


def is_cudnn(kind: str, stored: Sequence[np.ndarray]) -> bool:
    """Whether an LSTM's or GRU's stored [kernel, recurrent_kernel, bias] are a cuDNN
    layer's: a flat bias twice as long as the layer's gates (tf.keras tells them so)."""
    if kind not in GATES or len(stored) != 3:
        return False
    units = stored[1].shape[0]
    return stored[2].shape == (2 * GATES[kind] * units,)


def from_cudnn(kind: str, stored: Sequence[np.ndarray]) -> list[np.ndarray]:
    """A cuDNN layer's [kernel, recurrent_kernel, bias] as the LSTM's or GRU's."""
    kernel, recurrent, bias = stored
    gates = GATES[kind]
    units = recurrent.shape[0]
    kernel = np.hstack([k.reshape(units, -1).T for k in np.hsplit(kernel, gates)])
    recurrent = np.hstack([r.T for r in np.hsplit(recurrent, gates)])
    halves = bias.reshape(2, gates * units)
    return [kernel, recurrent, halves.sum(axis=0) if kind == "LSTM" else halves]


def recurrent_cells(info: LayerInfo, weights: Sequence[ModelWeight]) -> list[tuple[str, list[int]]]:
    """Each LSTM or GRU cell among a layer's weights (its own, or a Bidirectional's two):
    the kind, and the positions of its kernel, recurrent kernel and bias in `weights`."""
    kinds = {"cell": info.kind}
    if info.kind == "Bidirectional":
        config = info.entry.config
        kinds = {"forward_layer/cell": config.forward.class_name, "backward_layer/cell": config.backward.class_name}
    cells = []
    for owner, kind in kinds.items():
        positions = {w.weight.name.rsplit("/", 1)[-1]: n for n, w in enumerate(weights) if w.weight.owner == owner}
        if kind in GATES and positions.keys() == {"kernel", "recurrent_kernel", "bias"}:
            cells.append((kind, [positions["kernel"], positions["recurrent_kernel"], positions["bias"]]))
    return cells


def as_keras_layout(info: LayerInfo, weights: Sequence[ModelWeight], stored: list[Any]) -> list[Any]:
    """A layer's stored arrays (or HDF5 datasets) with each cuDNN cell's converted; the
    others as they are."""
    out = list(stored)
    for kind, positions in recurrent_cells(info, weights):
        cell = [stored[n] for n in positions]
        kernels_fit = all(tuple(cell[i].shape) == weights[positions[i]].weight.shape for i in (0, 1))
        if kernels_fit and is_cudnn(kind, cell):  # shapes first: nothing is read that does not fit
            for n, array in zip(positions, from_cudnn(kind, [np.asarray(a) for a in cell]), strict=True):
                out[n] = array
    return out
