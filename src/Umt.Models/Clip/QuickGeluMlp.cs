using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Umt.Models.Clip;

/// <summary>
/// CLIP's feed-forward: <c>c_proj(QuickGELU(c_fc(x)))</c> with QuickGELU(x) = x·σ(1.702x), the
/// approximation OpenAI trained with (clip/model.py <c>QuickGELU</c>); exact GELU would change
/// every feature of a pretrained teacher. Field names are OpenAI's keys (<c>mlp.c_fc</c>, <c>mlp.c_proj</c>).
/// </summary>
public sealed class QuickGeluMlp : nn.Module<Tensor, Tensor>
{
    /// <summary>QuickGELU's slope: x·σ(1.702x) ≈ GELU(x).</summary>
    private const double Slope = 1.702;

    private readonly Linear c_fc;
    private readonly Linear c_proj;
    private bool folded;

    /// <summary>Creates the MLP <paramref name="width"/> → 4·<paramref name="width"/> → <paramref name="width"/>.</summary>
    public QuickGeluMlp(long width) : base("mlp")
    {
        c_fc = nn.Linear(width, 4 * width);
        c_proj = nn.Linear(4 * width, width);
        RegisterComponents();
    }

    /// <summary>
    /// Moves QuickGELU's slope into the weights of a frozen MLP, so the activation is one SiLU:
    /// with z = 1.702·(W₁x + b₁), x·σ(1.702x) = SiLU(z) / 1.702, so c_fc is scaled by 1.702 and
    /// c_proj's weight by 1/1.702. Same function; one elementwise pass over <c>[B, L, 4D]</c>
    /// instead of three. Call once, before any cast, on weights that are no longer saved.
    /// </summary>
    public void FoldSlope()
    {
        if (folded)
        {
            throw new InvalidOperationException("QuickGELU's slope is already folded into the weights.");
        }
        using var noGrad = no_grad();
        c_fc.weight!.mul_(Slope);
        c_fc.bias!.mul_(Slope);
        c_proj.weight!.div_(Slope);
        folded = true;
    }

    /// <param name="x">Tokens <c>[L, D]</c> or <c>[B, L, D]</c>.</param>
    public override Tensor forward(Tensor x)
    {
        var hidden = c_fc.call(x);                                                      // [B, L, 4D]
        var activated = folded ? hidden.silu_() : hidden * sigmoid(hidden * Slope);     // [B, L, 4D]  QuickGELU (×1.702 when folded)
        return c_proj.call(activated);                                                  // [B, L, D]
    }
}
