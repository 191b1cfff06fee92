using TorchSharp.Modules;
using Umt.Models.Layers;
using static TorchSharp.torch;

namespace Umt.Runner.Workflows.Finetuning;

/// <summary>
/// The reference's fine-tuning head over mean-pooled tokens: <c>fc_norm</c> (LayerNorm, eps 1e-6)
/// → <c>fc_dropout</c> → <c>head</c> (Linear). Field names are the reference's checkpoint keys.
/// </summary>
/// <remarks>
/// Mirrors single_modality/models/modeling_finetune.py <c>VisionTransformer</c> with
/// <c>use_mean_pooling</c>: the head's weight is drawn trunc-normal (std 0.02, cut at ±2), its
/// bias 0, and both are multiplied by
/// <c>init_scale</c> (0.001 by default), so the first logits are near zero and the first
/// gradients reach the pretrained blocks through a head that barely favours any class.
/// </remarks>
public sealed class ClassificationHead : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm fc_norm;
    private readonly Dropout fc_dropout;
    private readonly Linear head;

    /// <param name="width">Token width D.</param>
    /// <param name="classes">Classes of the label set.</param>
    /// <param name="dropout">The reference's <c>fc_drop_rate</c> (0: the dropout is the identity).</param>
    /// <param name="initScale">The reference's <c>init_scale</c>.</param>
    public ClassificationHead(long width, long classes, double dropout, double initScale) : base(nameof(ClassificationHead))
    {
        fc_norm = nn.LayerNorm(width, eps: 1e-6);
        fc_dropout = nn.Dropout(dropout);
        head = nn.Linear(width, classes);
        RegisterComponents();
        using var noGrad = no_grad();
        TruncatedNormal.Fill(head.weight!, std: 0.02); // timm's trunc_normal_(std=.02), bounds ±2

        nn.init.zeros_(head.bias!);
        head.weight!.mul_(initScale);
    }

    /// <param name="pooled">Mean-pooled tokens <c>[B, D]</c>.</param>
    /// <returns>Logits <c>[B, classes]</c>.</returns>
    public override Tensor forward(Tensor pooled) => head.call(fc_dropout.call(fc_norm.call(pooled)));
}
