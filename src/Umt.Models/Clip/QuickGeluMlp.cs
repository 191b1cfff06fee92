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
    private readonly Linear c_fc;
    private readonly Linear c_proj;

    /// <summary>Creates the MLP <paramref name="width"/> → 4·<paramref name="width"/> → <paramref name="width"/>.</summary>
    public QuickGeluMlp(long width) : base("mlp")
    {
        c_fc = nn.Linear(width, 4 * width);
        c_proj = nn.Linear(4 * width, width);
        RegisterComponents();
    }

    /// <param name="x">Tokens <c>[L, D]</c> or <c>[B, L, D]</c>.</param>
    public override Tensor forward(Tensor x)
    {
        var hidden = c_fc.call(x);                           // [B, L, 4D]
        var activated = hidden * sigmoid(hidden * 1.702);    // [B, L, 4D]  QuickGELU
        return c_proj.call(activated);                       // [B, L, D]
    }
}
