using TorchSharp;
using TorchSharp.Modules;
using Umt.Abstractions.TextEncoders;
using Umt.Models.VisionLanguage;
using Umt.Models.Weights;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Model;
using static TorchSharp.torch;

namespace Umt.Runner.Workflows.Evaluation;

/// <summary>
/// A stage-2 checkpoint read back for retrieval: the student (every token visible), the text
/// encoder, <c>pool_norm</c>/<c>vision_proj</c>/<c>text_proj</c>, and the matching head
/// <c>itm_head</c> when the run trained <c>vtm</c>; eval mode, no gradient. Mirrors the reference's
/// evaluation path (<c>encode_vision(test=True)</c> with <c>keep_temporal</c>, <c>encode_text</c>).
/// </summary>
public sealed class FrozenVisionLanguage : IDisposable
{
    private readonly FrozenStudent student;
    private readonly VisionLanguageHeads heads;
    private readonly Linear? itmHead;
    private readonly RunPlan plan;

    private FrozenVisionLanguage(FrozenStudent student, ITextEncoder textEncoder, VisionLanguageHeads heads, Linear? itmHead, RunPlan plan)
    {
        this.student = student;
        TextEncoder = textEncoder;
        this.heads = heads;
        this.itmHead = itmHead;
        this.plan = plan;
    }

    public ITextEncoder TextEncoder { get; }

    /// <summary>Whether the checkpoint has a matching head, so candidates can be re-ranked.</summary>
    public bool CanMatch => itmHead is not null;

    public static FrozenVisionLanguage Load(RunPlan plan, string modelFile, Serilog.ILogger log)
    {
        if (plan.TextEncoder is not { } selection)
        {
            throw new ArgumentException($"{modelFile}: its run has no text encoder (Umt:TextEncoder:Use), so it is not a stage-2 checkpoint; retrieval needs one.");
        }
        var student = FrozenStudent.Load(plan, modelFile);
        var textEncoder = ((ITextEncoderFactory)selection.Entry.Factory).Create(selection.Options, plan.PluginContext(log));
        var heads = new VisionLanguageHeads(plan.Student.Width, textEncoder.Traits.Width, plan.Stage2.EmbedDim, plan.Stage2.Temperature);
        Linear? itmHead = null;
        using (var scope = NewDisposeScope())
        {
            var tensors = SafetensorsFile.Read(modelFile);
            StateDictLoader.Load(textEncoder.Module, tensors, TrainingModel.TextEncoderPrefix);
            StateDictLoader.Load(heads, StateDictLoader.OwnEntries(heads, tensors));
            if (tensors.Keys.Any(k => k.StartsWith(MatchingHeadPrefix, StringComparison.Ordinal)))
            {
                itmHead = nn.Linear(textEncoder.Traits.Width, 2);
                StateDictLoader.Load(itmHead, tensors, MatchingHeadPrefix);
            }
        }
        foreach (var module in new nn.Module?[] { textEncoder.Module, heads, itmHead })
        {
            module?.to(plan.Device);
            module?.eval();
        }
        return new FrozenVisionLanguage(student, textEncoder, heads, itmHead, plan);
    }

    /// <summary>The <c>vtm</c> objective's checkpoint prefix of its head.</summary>
    private const string MatchingHeadPrefix = "itm_head.";

    /// <summary>Clips <c>[b, 3, T, H, W]</c> → (per-frame embeddings <c>[b, T, E]</c>, all tokens <c>[b, N, D]</c>).</summary>
    public (Tensor PerFrame, Tensor Tokens) EncodeVision(Tensor video)
    {
        using var noGrad = no_grad();
        var tokens = student.Tokens(video);                                         // [b, N, D]
        return (heads.EmbedVisionPerFrame(tokens, plan.Student.Grid.T), tokens);   // [b, T, E], [b, N, D]
    }

    /// <summary>Captions → (embeddings <c>[b, E]</c>, "text" mode states <c>[b, L, W]</c>, tokens).</summary>
    public (Tensor Embedding, Tensor Hidden, TokenizedText Text) EncodeText(IReadOnlyList<string> captions)
    {
        using var noGrad = no_grad();
        var text = TextEncoder.Tokenizer.Encode(captions, plan.Device);   // [b, L]
        var hidden = TextEncoder.EncodeText(text);                         // [b, L, W]
        return (heads.EmbedText(hidden), hidden, text);                    // [b, E], [b, L, W]
    }

    /// <summary>
    /// Matching score of caption/clip pairs: <c>itm_head</c>'s "match" logit on the fused
    /// <c>[CLS]</c>, as the reference's re-ranking (<c>itm_head(...)[:, 1]</c>).
    /// </summary>
    /// <param name="textHidden">"text" mode states <c>[p, L, W]</c>.</param>
    /// <param name="attentionMask"><c>[p, L]</c>.</param>
    /// <param name="visionTokens">The paired clips' tokens <c>[p, N, D]</c>.</param>
    /// <returns><c>[p]</c>.</returns>
    public Tensor MatchScores(Tensor textHidden, Tensor attentionMask, Tensor visionTokens) =>
        MatchLogits(textHidden, attentionMask, visionTokens).select(1, 1);                 // [p]

    /// <summary>
    /// Probability that each caption/clip pair matches: the softmax of <c>itm_head</c>'s two
    /// logits, "match" taken, as retrieval_mc.py scores multiple-choice candidates.
    /// </summary>
    /// <inheritdoc cref="MatchScores"/>
    public Tensor MatchProbabilities(Tensor textHidden, Tensor attentionMask, Tensor visionTokens) =>
        nn.functional.softmax(MatchLogits(textHidden, attentionMask, visionTokens), 1).select(1, 1); // [p]

    /// <summary>
    /// Contrastive logits of clips against texts with the checkpoint's temperature: per-frame
    /// cosines averaged over frames, divided by <c>temp</c> (retrieval_mc.py <c>get_sim_for_each_question</c>).
    /// </summary>
    /// <param name="perFrame">Clip embeddings <c>[b, T, E]</c> from <see cref="EncodeVision"/>.</param>
    /// <param name="text">Text embeddings <c>[k, E]</c> from <see cref="EncodeText"/>.</param>
    /// <returns><c>[b, k]</c>.</returns>
    public Tensor Similarity(Tensor perFrame, Tensor text)
    {
        using var noGrad = no_grad();
        return VisionLanguageHeads.Similarity(perFrame, text, heads.Temperature);          // [b, k]
    }

    private Tensor MatchLogits(Tensor textHidden, Tensor attentionMask, Tensor visionTokens)
    {
        var head = itmHead ?? throw new InvalidOperationException("The checkpoint has no itm_head (its run did not train vtm); matching needs one.");
        using var noGrad = no_grad();
        var fused = TextEncoder.Fuse(textHidden, attentionMask, visionTokens);   // [p, L, W]
        return head.call(fused.select(1, 0));                                   // [p, 2]
    }

    public void Dispose()
    {
        itmHead?.Dispose();
        heads.Dispose();
        TextEncoder.Dispose();
        student.Dispose();
    }
}
