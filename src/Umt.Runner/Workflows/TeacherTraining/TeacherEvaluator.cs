using System.Text.Json.Serialization;
using Umt.Abstractions.Datasets;
using Umt.Models.Clip;
using Umt.Plugins.Datasets.Synthetic;
using Umt.Runner.Engine.Step;
using static TorchSharp.torch;

namespace Umt.Runner.Workflows.TeacherTraining;

/// <summary>What <c>umt teacher eval</c> measured on held-out synthetic images.</summary>
/// <param name="Weights">The evaluated weight file.</param>
/// <param name="Images">Held-out images evaluated.</param>
/// <param name="Captions">Zero-shot classes (the 72 image captions).</param>
/// <param name="ZeroShotTop1">Share of images whose most similar caption is their own (chance: 1 / Captions).</param>
/// <param name="SmallObjectImages">Images with a small main object, over which the enrichment is averaged.</param>
/// <param name="AttentionEnrichment">Mean over those images of the last block's CLS→patch attention share on the object's box divided by the box's share of the patches (1 = no preference).</param>
public sealed record TeacherEvaluation(
    [property: JsonPropertyName("weights")] string Weights,
    [property: JsonPropertyName("images")] int Images,
    [property: JsonPropertyName("captions")] int Captions,
    [property: JsonPropertyName("zero_shot_top1")] double ZeroShotTop1,
    [property: JsonPropertyName("small_object_images")] int SmallObjectImages,
    [property: JsonPropertyName("attention_enrichment")] double AttentionEnrichment);

/// <summary>
/// Evaluates a CLIP teacher on held-out synthetic images: zero-shot top-1 over the 72 image
/// captions, and the attention enrichment on images with small objects (where looking at the
/// object is hard and a uniform map scores 1). Used by <c>umt teacher eval</c>, by the tests and
/// by the reference rows of <c>umt compare</c>.
/// </summary>
public static class TeacherEvaluator
{
    /// <param name="model">The model (set to eval mode here).</param>
    /// <param name="tokenizer">Its tokenizer.</param>
    /// <param name="heldOut">Synthetic images (<c>Images = true</c>, <c>Split = test</c>): every sample is read once, in order.</param>
    /// <param name="weights">Name of the weights, for the report.</param>
    /// <param name="batchSize">Images per forward pass.</param>
    public static TeacherEvaluation Evaluate(ClipModel model, CaptionTokenizer tokenizer, IVideoDataset heldOut, string weights, int batchSize = 100)
    {
        model.eval();
        var captions = SyntheticCaption.AllImageCaptions;
        using var classifier = new ZeroShotClassifier(model, tokenizer, captions);
        var vision = model.Config.Vision;
        int side = vision.NativeResolution;
        int lastBlock = vision.Layers - 1;
        long count = heldOut.Info.Count;

        int correct = 0;
        var enrichments = new List<double>();
        var starts = Enumerable.Range(0, (int)((count + batchSize - 1) / batchSize)).Select(b => b * (long)batchSize);
        foreach (long start in NativeGarbage.Stepwise(starts))
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var samples = Enumerable.Range(0, (int)Math.Min(batchSize, count - start)).Select(i => heldOut.Read(start + i, 0)).ToArray();
            var pixels = samples.SelectMany(s => s.Pixels).ToArray();
            var images = tensor(pixels, [samples.Length, 3, side, side]);          // [B, 3, H, W]

            // 1. zero-shot: the most similar of the 72 captions
            long[] predicted = classifier.Predict(images);                           // [B]

            // 2. the last block's CLS→patch attention
            var attention = model.Visual.Encode(images, [lastBlock], withAttention: true).ClsAttention!; // [B, P]
            float[] rows = attention.contiguous().data<float>().ToArray();           // [B·P]
            int patches = (int)attention.shape[1];

            // zero-shot top-1: is the predicted caption the image's own?
            correct += samples.Where((s, i) => captions[(int)predicted[i]] == s.Caption).Count();

            // attention enrichment on the images whose main object is small
            for (int i = 0; i < samples.Length; i++)
            {
                if (!SyntheticImages.HasSmallObject(samples[i]) || samples[i].Boxes is not { } boxes)
                {
                    continue;
                }
                var coverage = AttentionEnrichment.BoxCoverage((boxes[0], boxes[1], boxes[2], boxes[3]), vision.GridSide);
                double value = AttentionEnrichment.Of(rows.AsSpan(i * patches, patches), coverage);
                if (double.IsFinite(value))
                {
                    enrichments.Add(value);
                }
            }
        }
        return new TeacherEvaluation(weights, (int)count, captions.Count, count == 0 ? 0 : correct / (double)count,
            enrichments.Count, enrichments.Count == 0 ? double.NaN : enrichments.Average());
    }
}
