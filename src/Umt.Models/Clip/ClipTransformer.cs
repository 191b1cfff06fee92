using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Umt.Models.Clip;

/// <summary>
/// The stack of <see cref="ResidualAttentionBlock"/>s, under OpenAI's key <c>transformer.resblocks.{i}</c>
/// (clip/model.py <c>Transformer</c>); shared by the vision and the text tower.
/// </summary>
public sealed class ClipTransformer : nn.Module
{
    private readonly ModuleList<ResidualAttentionBlock> resblocks;

    /// <summary>Creates <paramref name="layers"/> blocks of <paramref name="width"/> channels.</summary>
    public ClipTransformer(long width, int layers, long heads) : base("transformer")
    {
        resblocks = nn.ModuleList(Enumerable.Range(0, layers).Select(_ => new ResidualAttentionBlock(width, heads)).ToArray());
        RegisterComponents();
    }

    /// <summary>Number of blocks.</summary>
    public int Layers => resblocks.Count;

    /// <summary>Block <paramref name="index"/>.</summary>
    public ResidualAttentionBlock this[int index] => resblocks[index];
}
