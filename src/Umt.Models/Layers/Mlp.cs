using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Umt.Models.Layers;

/// <summary>
/// The transformer feed-forward: <c>fc2(gelu(fc1(x)))</c> with exact (erf) GELU.
/// Mirrors unmasked_teacher single_modality/models/modeling_finetune.py <c>Mlp</c> (dropout 0);
/// the field names are the reference's checkpoint keys.
/// </summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc1;
    private readonly Linear fc2;

    /// <summary>Creates the MLP <paramref name="width"/> → <paramref name="hidden"/> → <paramref name="width"/>.</summary>
    public Mlp(long width, long hidden) : base(nameof(Mlp))
    {
        fc1 = nn.Linear(width, hidden);
        fc2 = nn.Linear(hidden, width);
        RegisterComponents();
    }

    /// <param name="x">Tokens <c>[B, N, D]</c>.</param>
    /// <returns>Tokens <c>[B, N, D]</c>.</returns>
    public override Tensor forward(Tensor x)
    {
        var hidden = nn.functional.gelu(fc1.call(x));   // [B, N, Dh]
        return fc2.call(hidden);                        // [B, N, D]
    }
}
