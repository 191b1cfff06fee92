using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Umt.Models.Layers;

/// <summary>
/// Pre-norm transformer block: <c>x + drop_path(attn(norm1(x)))</c>, then
/// <c>x + drop_path(mlp(norm2(x)))</c>. LayerNorm eps 1e-6, no layer-scale (<c>init_values=0</c>).
/// </summary>
/// <remarks>
/// Mirrors unmasked_teacher single_modality/models/modeling_finetune.py <c>Block</c>; the field
/// names are the reference's checkpoint keys. Drop-path noise comes from the caller: one draw per
/// sample for each of the two branches, as timm's block applies two independent <c>DropPath</c>s.
/// </remarks>
public sealed class Block : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly LayerNorm norm1;
    private readonly Attention attn;
    private readonly LayerNorm norm2;
    private readonly Mlp mlp;
    private readonly double dropPathRate;

    /// <summary>Creates a block.</summary>
    /// <param name="width">Token width D.</param>
    /// <param name="heads">Attention heads.</param>
    /// <param name="mlpRatio">MLP hidden width over D (the hidden width is truncated to an integer, as in the reference).</param>
    /// <param name="dropPathRate">Probability of dropping a sample's residual branches in training.</param>
    public Block(long width, long heads, double mlpRatio, double dropPathRate) : base(nameof(Block))
    {
        if (dropPathRate is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(dropPathRate), dropPathRate, "A drop-path rate must lie in [0, 1].");
        }
        this.dropPathRate = dropPathRate;
        norm1 = nn.LayerNorm(width, eps: 1e-6);
        attn = new Attention(width, heads);
        norm2 = nn.LayerNorm(width, eps: 1e-6);
        mlp = new Mlp(width, (long)(width * mlpRatio));
        RegisterComponents();
    }

    /// <param name="x">Tokens <c>[B, N, D]</c>.</param>
    /// <param name="dropPathNoise">Uniform [0, 1) draws <c>[B, 2]</c> for this block (column 0 the attention branch, 1 the MLP branch), or null for no drop-path.</param>
    /// <returns>Tokens <c>[B, N, D]</c>.</returns>
    public override Tensor forward(Tensor x, Tensor? dropPathNoise)
    {
        Tensor Residual(Tensor input, Tensor branch, int column) =>
            training && dropPathRate > 0 && dropPathNoise is not null
                ? input.addcmul(branch, DropPath.Scale(dropPathNoise.select(1, column), dropPathRate, branch), 1)  // x + drop_path(branch), fused
                : input + branch;

        x = Residual(x, attn.call(norm1.call(x)), 0);     // [B, N, D]
        return Residual(x, mlp.call(norm2.call(x)), 1);   // [B, N, D]
    }
}
