using static TorchSharp.torch;

namespace Umt.Runner.Workflows.TeacherTraining;

/// <summary>The contrastive loss of one batch and what it tells about the batch.</summary>
/// <param name="Loss">Symmetric soft-target cross-entropy <c>[]</c> (differentiable).</param>
/// <param name="Accuracy">Share of images whose most similar caption in the batch is one of their own <c>[]</c>.</param>
public sealed record ContrastiveOutput(Tensor Loss, Tensor Accuracy);

/// <summary>
/// CLIP's symmetric image-text contrastive loss with a learnable temperature, with soft targets
/// over equal captions: the tiny teacher's batches repeat captions (72 in all), and a one-hot
/// target would push an image away from its own caption's copies. As the UMT reference's VTC does
/// with equal ids (unmasked_teacher multi_modality/models/criterions.py, <c>sim_targets</c>), the
/// targets of a row are the rows with an equal caption, normalised to sum to one.
/// </summary>
public static class ContrastiveLoss
{
    /// <param name="imageEmbeddings">Image embeddings <c>[B, C]</c>, not normalised.</param>
    /// <param name="textEmbeddings">Embeddings of each image's caption <c>[B, C]</c>, not normalised (row i describes image i).</param>
    /// <param name="captionIds">Caption identity of each row <c>[B]</c> (int64): equal ids = equal captions.</param>
    /// <param name="logitScale">Log inverse temperature <c>[]</c>.</param>
    public static ContrastiveOutput Compute(Tensor imageEmbeddings, Tensor textEmbeddings, Tensor captionIds, Tensor logitScale)
    {
        // 1. cosine similarities scaled by the learnt temperature
        var images = nn.functional.normalize(imageEmbeddings, dim: -1);                // [B, C]
        var texts = nn.functional.normalize(textEmbeddings, dim: -1);                  // [B, C]
        var logits = logitScale.exp() * matmul(images, texts.t());                     // [B, B]  image i vs caption of row j

        // 2. soft targets: the rows with an equal caption, normalised (symmetric, so it serves both directions)
        var same = captionIds.unsqueeze(1).eq(captionIds.unsqueeze(0)).to(logits.dtype); // [B, B]
        var targets = same / same.sum(1, keepdim: true);                                 // [B, B]

        // 3. cross-entropy both ways, averaged
        var imageToText = -(targets * logits.log_softmax(1)).sum(1).mean();            // []
        var textToImage = -(targets * logits.t().log_softmax(1)).sum(1).mean();        // []
        var loss = (imageToText + textToImage) / 2;                                    // []

        // in-batch accuracy: the best-scoring caption is one of the image's own
        using var noGrad = no_grad();
        var best = logits.argmax(1, keepdim: true);                                    // [B, 1]
        var accuracy = same.gather(1, best).mean();                                    // []
        return new ContrastiveOutput(loss, accuracy);
    }
}
