"""An encoder-processor-decoder message-passing layer, GraphCast style."""
import torch
from torch import nn


class MessagePassing(nn.Module):
    def __init__(self, node_dim: int, edge_dim: int, hidden: int = 128):
        super().__init__()
        self.edge_mlp = nn.Sequential(
            nn.Linear(2 * node_dim + edge_dim, hidden), nn.SiLU(), nn.Linear(hidden, edge_dim), nn.LayerNorm(edge_dim)
        )
        self.node_mlp = nn.Sequential(
            nn.Linear(node_dim + edge_dim, hidden), nn.SiLU(), nn.Linear(hidden, node_dim), nn.LayerNorm(node_dim)
        )

    def forward(self, nodes: torch.Tensor, edges: torch.Tensor, src: torch.Tensor, dst: torch.Tensor):
        sender = nodes[src]
        receiver = nodes[dst]
        edges = edges + self.edge_mlp(torch.cat([sender, receiver, edges], dim=-1))
        agg = torch.zeros(nodes.shape[0], edges.shape[1], device=nodes.device, dtype=nodes.dtype)
        agg.index_add_(0, dst, edges)
        counts = torch.zeros(nodes.shape[0], device=nodes.device).scatter_add_(0, dst, torch.ones_like(dst, dtype=torch.float32))
        agg = agg / counts.clamp(min=1).unsqueeze(-1)
        return nodes + self.node_mlp(torch.cat([nodes, agg], dim=-1)), edges


def active_nodes(mask: torch.Tensor) -> torch.Tensor:
    # data-dependent shape: fine on GPU, recompiles in graph mode on Ascend
    return torch.nonzero(mask).squeeze(-1)
