namespace Umt.Models.Weights.PyTorch;

/// <summary>The containers <c>torch.save</c> has written over the years, told apart by their first bytes.</summary>
internal enum TorchSaveFormat
{
    /// <summary>None of them (e.g. safetensors).</summary>
    None,

    /// <summary>A zip archive: <c>torch.save</c> ≥ 1.6 and <c>torch.jit.save</c>; the only one read.</summary>
    Zip,

    /// <summary>Consecutive pickles after a magic number: PyTorch 0.4–1.5, or <c>_use_new_zipfile_serialization=False</c>.</summary>
    LegacyPickle,

    /// <summary>A tar file: PyTorch ≤ 0.3.</summary>
    LegacyTar,
}
