using TorchSharp.Modules;
using Umt.Models.Layers;
using static TorchSharp.torch;

namespace Umt.Runner.Workflows.Finetuning;

/// <summary>
/// The action detection head over one pooled vector per box: <c>fc_dropout</c> → <c>head</c>
/// (Linear, one logit per action). Field names are the reference's checkpoint keys.
/// </summary>
/// <remarks>
/// Mirrors single_modality/action_detection/modeling_finetune.py: <c>head</c> drawn trunc-normal
/// (std 0.02) and multiplied by <c>init_scale</c>, bias 0. The reference passes the pooled box
/// features straight to <c>head</c>; the dropout (the classification head's <c>fc_drop_rate</c>,
/// 0 by default, then the identity) is there so <c>--head-dropout</c> means the same in both tasks.
/// </remarks>
public sealed class DetectionHead : nn.Module<Tensor, Tensor>
{
    private readonly Dropout fc_dropout;
    private readonly Linear head;

    /// <param name="width">Token width D.</param>
    /// <param name="classes">Actions of the label map.</param>
    public DetectionHead(long width, long classes, double dropout, double initScale) : base(nameof(DetectionHead))
    {
        fc_dropout = nn.Dropout(dropout);
        head = nn.Linear(width, classes);
        RegisterComponents();
        using var noGrad = no_grad();
        TruncatedNormal.Fill(head.weight!, std: 0.02);
        nn.init.zeros_(head.bias!);
        head.weight!.mul_(initScale);
    }

    /// <param name="boxes">Pooled box features <c>[K, D]</c>.</param>
    /// <returns>Action logits <c>[K, classes]</c>.</returns>
    public override Tensor forward(Tensor boxes) => head.call(fc_dropout.call(boxes));
}
