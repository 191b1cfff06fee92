using static TorchSharp.torch;

namespace Umt.Models.Weights.PyTorch;

/// <summary>
/// One storage record of an archive (<c>&lt;root&gt;/data/&lt;key&gt;</c>) loaded as a flat CPU tensor of
/// its element type: what a persistent id <c>('storage', StorageType, key, location, numel)</c> stands for.
/// Several tensors (views, tied weights) may share it.
/// </summary>
internal sealed record TorchStorage(string Key, Tensor Data)
{
    /// <summary>Elements in the storage.</summary>
    public long Numel => Data.shape[0];
}
