"""Helper functions and classes a generated torch file may need, placed on demand.

Each is a small, readable piece of torch written once here; a rule's expressions name the
helpers they use (`Expr.needs`) and the emitter places just those, in this order."""

from __future__ import annotations

from dataclasses import dataclass

from .expr import FUNCTIONAL


@dataclass(frozen=True)
class Helper:
    source: str
    needs: frozenset[str] = frozenset()
    """What the helper's own code uses (the functional module `F`)."""


_SOURCES: dict[str, str] = {
    "l2_norm": '''
def l2_norm(weight: torch.Tensor, dims: tuple[int, ...]) -> torch.Tensor:
    """Euclidean norm over `dims`, kept for broadcasting (Keras's constraint norms)."""
    return weight.square().sum(dim=dims, keepdim=True).sqrt()
''',
    "orthogonal_penalty": '''
def orthogonal_penalty(weight: torch.Tensor, factor: float, dim: int) -> torch.Tensor:
    """Keras's OrthogonalRegularizer: mean |cosine| between the unit vectors along `dim`."""
    unit = F.normalize(weight, dim=dim, eps=1e-12)
    vectors = unit if dim == 1 else unit.T
    product = vectors @ vectors.T
    size = product.shape[0]
    off_diagonal = product * (1.0 - torch.eye(size, dtype=weight.dtype, device=weight.device))
    return factor * 0.5 * off_diagonal.abs().sum() / (size * (size - 1.0) / 2.0)
''',
    "KerasBatchNorm": '''
class KerasBatchNorm(nn.BatchNorm1d):
    """BatchNorm as Keras computes it, channels on dim 1 at any rank: in training, the
    moving variance takes the batch's biased variance (torch's own takes the unbiased),
    and a Keras mask (broadcastable against x) keeps only its steps in the moments."""

    def _check_input_dim(self, input: torch.Tensor) -> None:
        pass  # any rank from 2 up

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        if not self.training:
            return super().forward(x)
        dims = [d for d in range(x.dim()) if d != 1]
        channels = [1, -1] + [1] * (x.dim() - 2)
        if mask is None:
            mean, var = x.mean(dim=dims), x.var(dim=dims, unbiased=False)
        else:
            keep = mask.expand_as(x)
            count = keep.sum(dim=dims) + 1e-7  # Keras's epsilon: a batch of padding only stays finite
            mean = torch.where(keep, x, 0.0).sum(dim=dims) / count
            var = torch.where(keep, x - mean.reshape(channels), 0.0).square().sum(dim=dims) / count
        with torch.no_grad():
            self.running_mean.lerp_(mean, self.momentum)
            self.running_var.lerp_(var, self.momentum)
            self.num_batches_tracked.add_(1)
        x = (x - mean.reshape(channels)) * torch.rsqrt(var.reshape(channels) + self.eps)
        if self.weight is not None:
            x = x * self.weight.reshape(channels)
        return x if self.bias is None else x + self.bias.reshape(channels)
''',
    "KerasPReLU": '''
class KerasPReLU(nn.Module):
    """Keras's PReLU: a learned slope per element, shared along some axes."""

    def __init__(self, alpha_shape: tuple[int, ...]) -> None:
        super().__init__()
        self.alpha = nn.Parameter(torch.zeros(alpha_shape))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(x) - self.alpha * F.relu(-x)
''',
    "KerasLayerNorm": '''
class KerasLayerNorm(nn.Module):
    """Keras's LayerNormalization over any axes; with rms_scaling, x / std(x) * gamma.
    gamma and beta keep Keras's shape and are reshaped to `broadcast`, as Keras does."""

    def __init__(
        self,
        shape: tuple[int, ...],
        dims: tuple[int, ...],
        broadcast: tuple[int, ...],
        eps: float,
        center: bool = True,
        scale: bool = True,
        rms: bool = False,
    ) -> None:
        super().__init__()
        self.dims, self.broadcast, self.eps, self.rms = dims, broadcast, eps, rms
        self.weight = nn.Parameter(torch.ones(shape)) if scale or rms else None
        self.bias = nn.Parameter(torch.zeros(shape)) if center and not rms else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        variance = x.var(dim=self.dims, keepdim=True, unbiased=False)
        if self.rms:
            x = x * torch.rsqrt(variance + self.eps)
        else:
            x = (x - x.mean(dim=self.dims, keepdim=True)) * torch.rsqrt(variance + self.eps)
        if self.weight is not None:
            x = x * self.weight.reshape(self.broadcast)
        return x if self.bias is None else x + self.bias.reshape(self.broadcast)
''',
    "NoiseShapeDropout": '''
class NoiseShapeDropout(nn.Module):
    """Keras's Dropout with a noise_shape: one keep/drop draw per noise cell, broadcast."""

    def __init__(self, rate: float, noise_shape: tuple[int | None, ...]) -> None:
        super().__init__()
        self.rate, self.noise_shape = rate, noise_shape

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.rate == 0.0:
            return x
        shape = [x.shape[i] if size is None else size for i, size in enumerate(self.noise_shape)]
        keep = torch.rand(shape, device=x.device) >= self.rate
        return x * keep / (1.0 - self.rate)
''',
}


_USES_FUNCTIONAL = {"orthogonal_penalty", "KerasPReLU"}

HELPERS: dict[str, Helper] = {
    name: Helper(source.strip("\n"), frozenset({FUNCTIONAL}) if name in _USES_FUNCTIONAL else frozenset())
    for name, source in _SOURCES.items()
}


def register_helper(name: str, source: str, needs: frozenset[str] = frozenset()) -> None:
    """A helper a family's rules use, written in that family's file (placed in the order
    families register them: by module name, so output stays deterministic)."""
    if name in HELPERS:
        raise ValueError(f"helper {name!r} is registered twice")
    HELPERS[name] = Helper(source.strip("\n"), needs)


def helper_sources(names: set[str] | frozenset[str]) -> list[str]:
    """The sources of the helpers among `names`, in a fixed order so that output is
    deterministic."""
    return [HELPERS[name].source for name in HELPERS if name in names]
