using Umt.Models.Clip;
using static TorchSharp.torch;

namespace Umt.Runner.Workflows.TeacherTraining;

/// <summary>
/// CLIP zero-shot classification: every class is a caption (a prompt), embedded once by the text
/// tower; an image belongs to the caption whose embedding is the most cosine-similar to its own.
/// Holds the normalised class embeddings; the model stays owned by the caller.
/// </summary>
public sealed class ZeroShotClassifier : IDisposable
{
    private readonly ClipModel model;
    private readonly Tensor classEmbeddings;

    /// <param name="model">A CLIP model; put it in eval mode first.</param>
    /// <param name="tokenizer">The tokenizer the text tower was trained with.</param>
    /// <param name="prompts">One caption per class.</param>
    public ZeroShotClassifier(ClipModel model, CaptionTokenizer tokenizer, IReadOnlyList<string> prompts)
    {
        ArgumentOutOfRangeException.ThrowIfZero(prompts.Count);
        this.model = model;
        Prompts = prompts;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var tokens = tokenizer.Encode(prompts);
        var ids = tensor(tokens.Ids, [tokens.Count, tokens.ContextLength]);             // [K, L]
        var positions = tensor(tokens.PoolPositions);                                   // [K]
        var embeddings = model.EncodeText(ids, positions);                              // [K, C]
        classEmbeddings = nn.functional.normalize(embeddings, dim: -1).MoveToOuterDisposeScope(); // [K, C]
    }

    /// <summary>The class captions, in class order.</summary>
    public IReadOnlyList<string> Prompts { get; }

    /// <summary>Cosine similarity of each image to each class caption.</summary>
    /// <param name="images">Normalised images <c>[B, 3, H, W]</c>.</param>
    /// <returns>Similarities <c>[B, K]</c>.</returns>
    public Tensor Similarities(Tensor images)
    {
        var embeddings = nn.functional.normalize(model.EncodeImage(images), dim: -1);  // [B, C]
        return matmul(embeddings, classEmbeddings.t());                                 // [B, K]
    }

    /// <summary>The predicted class of each image.</summary>
    /// <param name="images">Normalised images <c>[B, 3, H, W]</c>.</param>
    public long[] Predict(Tensor images)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return Similarities(images).argmax(1).data<long>().ToArray();                  // [B]
    }

    public void Dispose() => classEmbeddings.Dispose();
}
