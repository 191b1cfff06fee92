using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Umt.Models.Student;

/// <summary>
/// Cuts a clip into tubelet × patch × patch cubes and embeds each with one Conv3d whose kernel
/// equals its stride. Mirrors unmasked_teacher single_modality/models/modeling_finetune.py
/// <c>PatchEmbed</c>; the field name is the reference's checkpoint key.
/// </summary>
public sealed class PatchEmbed3d : nn.Module<Tensor, Tensor>
{
    private readonly Conv3d proj;

    /// <summary>Creates the embedding of RGB cubes into <paramref name="width"/> channels.</summary>
    public PatchEmbed3d(long width, long tubelet, long patchSize) : base(nameof(PatchEmbed3d))
    {
        var cube = (tubelet, patchSize, patchSize);
        proj = nn.Conv3d(3, width, kernel_size: cube, stride: cube);
        RegisterComponents();
    }

    /// <param name="video">Clips <c>[B, 3, T, H, W]</c>.</param>
    /// <returns>Tokens <c>[B, N, D]</c>, N = (T/tubelet)·(H/p)·(W/p), ordered (t, h, w) t-major.</returns>
    public override Tensor forward(Tensor video)
    {
        var grid = proj.call(video);                 // [B, D, T', H', W']
        return grid.flatten(2).transpose(1, 2);      // [B, N, D]
    }
}
