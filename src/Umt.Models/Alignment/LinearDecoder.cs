using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Umt.Models.Alignment;

/// <summary>
/// One aligned layer's head: <c>normalize_L2(norm(head(x)))</c>, a Linear D → C and a LayerNorm(C,
/// eps 1e-6). Mirrors unmasked_teacher single_modality/models/modeling_pretrain_umt.py
/// <c>Linear_Decoder</c> with <c>clip_norm_type='l2'</c>; field names are its keys
/// (<c>clip_decoder.{k}.head</c>, <c>clip_decoder.{k}.norm</c>), init xavier-uniform / zero bias.
/// </summary>
public sealed class LinearDecoder : nn.Module<Tensor, Tensor>
{
    private readonly Linear head;
    private readonly LayerNorm norm;

    /// <summary>Creates the head <paramref name="inputWidth"/> → <paramref name="outputWidth"/>.</summary>
    public LinearDecoder(long inputWidth, long outputWidth) : base(nameof(LinearDecoder))
    {
        head = nn.Linear(inputWidth, outputWidth);
        norm = nn.LayerNorm(outputWidth, eps: 1e-6);
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
