using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Umt.Models.Alignment;

/// <summary>
/// One aligned layer's head: <c>normalize_L2(norm(head(x)))</c>, a Linear D → C and a LayerNorm(C).
/// Mirrors unmasked_teacher single_modality/models/modeling_pretrain_umt.py <c>Linear_Decoder</c>
/// with <c>clip_norm_type='l2'</c> (its norm is the model's <c>norm_layer</c>, eps 1e-6); stage 2's
/// multi_modality/models/backbones/vit/vit.py <c>Linear_Decoder</c> builds a plain
/// <c>nn.LayerNorm(output_dim)</c> (eps 1e-5) and leaves the L2 step to <c>UTA_Loss</c>, the same
/// result. Field names are its keys (<c>clip_decoder.{k}.head</c>, <c>clip_decoder.{k}.norm</c>),
/// init xavier-uniform / zero bias.
/// </summary>
public sealed class LinearDecoder : nn.Module<Tensor, Tensor>
{
    private readonly Linear head;
    private readonly LayerNorm norm;

    /// <summary>LayerNorm epsilon of the stage-1 heads (single_modality's <c>norm_layer</c>).</summary>
    public const double Stage1Epsilon = 1e-6;

    /// <summary>LayerNorm epsilon of the stage-2 heads (multi_modality's <c>nn.LayerNorm</c> default).</summary>
    public const double Stage2Epsilon = 1e-5;

    /// <summary>Creates the head <paramref name="inputWidth"/> → <paramref name="outputWidth"/>.</summary>
    /// <param name="epsilon"><see cref="Stage1Epsilon"/> or <see cref="Stage2Epsilon"/>.</param>
    public LinearDecoder(long inputWidth, long outputWidth, double epsilon) : base(nameof(LinearDecoder))
    {
        head = nn.Linear(inputWidth, outputWidth);
        norm = nn.LayerNorm(outputWidth, eps: epsilon);
        using (no_grad())
        {
            nn.init.xavier_uniform_(head.weight!);
            nn.init.zeros_(head.bias!);
        }
        RegisterComponents();
    }

    /// <param name="x">Student tokens <c>[B, Nv, D]</c>.</param>
    /// <returns>Unit-length predictions of the teacher's tokens <c>[B, Nv, C]</c>.</returns>
    public override Tensor forward(Tensor x)
    {
        var projected = norm.call(head.call(x));                  // [B, Nv, C]
        return nn.functional.normalize(projected, p: 2, dim: -1); // [B, Nv, C]
    }
}
