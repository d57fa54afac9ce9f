"""Training script for the example weather model."""
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

from models.afno import AFNO2D, PatchEmbed
from models.transformer import Processor


class ERA5Like(Dataset):
    """Random fields with the shape of a few ERA5 variables."""

    def __init__(self, n=64, channels=20, h=64, w=128):
        self.data = np.random.randn(n, channels, h, w).astype(np.float32)

    def __len__(self):
        return len(self.data)

    def __getitem__(self, i):
        return torch.from_numpy(self.data[i]), torch.from_numpy(self.data[(i + 1) % len(self.data)])


class WeatherNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = PatchEmbed()
        self.mixer = AFNO2D(256)
        self.processor = Processor(256, depth=8)
        self.head = nn.Linear(256, 20 * 8 * 8)

    def forward(self, x):
        tokens = self.embed(x)
        tokens = self.processor(tokens)
        return self.head(tokens)


def main():
    torch.backends.cudnn.benchmark = True
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    model = WeatherNet().cuda()
    loader = DataLoader(ERA5Like(), batch_size=4, shuffle=True, num_workers=2, pin_memory=True)
    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-4, weight_decay=0.05)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=100)
    scaler = torch.cuda.amp.GradScaler()
    loss_fn = nn.MSELoss()
    losses = []
    model.train()
    for epoch in range(2):
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            optimizer.zero_grad()
            with torch.autocast(device_type="cuda", dtype=torch.float16):
                pred = model(x)
                loss = loss_fn(pred, y.flatten(1)[:, : pred.shape[-1]].unsqueeze(1).expand_as(pred))
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
            losses.append(loss)
        scheduler.step()
    model.eval()
    with torch.no_grad():
        sample = torch.randn(1, 20, 64, 128, device=device)
        print(model(sample).shape)
    torch.save(model.state_dict(), "weather.pt")


if __name__ == "__main__":
    main()
