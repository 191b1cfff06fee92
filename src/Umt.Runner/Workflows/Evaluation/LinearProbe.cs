using TorchSharp.Modules;
using Umt.Runner.Engine.Step;
using static TorchSharp.torch;

namespace Umt.Runner.Workflows.Evaluation;

/// <summary>Accuracy of a classifier on held-out features.</summary>
public sealed record ProbeAccuracy(double Top1, double Top5);

/// <summary>
/// Classifiers on frozen features (issue 6, <c>umt eval probe</c>). The linear probe standardises
/// the features with the training split's mean and deviation (MAE's linear probe puts a BatchNorm
/// without affine before its head, which is the same map at evaluation), then fits a softmax
/// regression by full-batch AdamW from zero weights, so the result is deterministic. The k-NN
/// classifier votes with the k nearest training features by cosine similarity, each vote weighted
/// by exp(similarity / 0.07) (the weighted k-NN of Wu et al. 2018, used by DINO).
/// </summary>
public static class LinearProbe
{
    public static ProbeAccuracy Linear(Tensor trainX, long[] trainY, Tensor testX, long[] testY, int classes,
        int steps = 500, double lr = 0.05, double weightDecay = 1e-4)
    {
        using var finalizers = NativeGarbage.HoldFinalizers(); // its 500 small steps run until the end without them
        using var scope = NewDisposeScope();
        var mean = trainX.mean([0], keepdim: true);                                   // [1, D]
        var std = trainX.std([0], keepdim: true) + 1e-6;                              // [1, D]
        var x = (trainX - mean) / std;                                                // [n, D]
        var y = tensor(trainY);                                                       // [n]
        var weight = new Parameter(zeros([trainX.shape[1], classes]));              // [D, C]
        var bias = new Parameter(zeros([classes]));                                   // [C]
        using var optimizer = optim.AdamW([weight, bias], lr, weight_decay: weightDecay);
        for (int step = 0; step < steps; step++)
        {
            using var stepScope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(x.matmul(weight) + bias, y);        // []
            loss.backward();
            optimizer.step();
        }
        using var noGrad = no_grad();
        var logits = ((testX - mean) / std).matmul(weight) + bias;                    // [m, C]
        return Accuracy(logits, testY);
    }

    public static ProbeAccuracy NearestNeighbours(Tensor trainX, long[] trainY, Tensor testX, long[] testY, int classes, int k = 20, double temperature = 0.07)
    {
        using var scope = NewDisposeScope();
        var similarity = nn.functional.normalize(testX, dim: 1).matmul(nn.functional.normalize(trainX, dim: 1).t()); // [m, n]
        var (top, neighbours) = similarity.topk(Math.Min(k, (int)trainX.shape[0]), dim: 1);                         // [m, k]
        var labels = tensor(trainY).index_select(0, neighbours.flatten()).reshape(neighbours.shape);                // [m, k]
        var votes = zeros([testX.shape[0], classes]).scatter_add_(1, labels, (top / temperature).exp());            // [m, C]
        return Accuracy(votes, testY);
    }

    /// <summary>Top-1 and top-5 (top-min(5, C)) accuracy of scores <c>[m, C]</c>.</summary>
    public static ProbeAccuracy Accuracy(Tensor scores, long[] labels)
    {
        using var scope = NewDisposeScope();
        var truth = tensor(labels).unsqueeze(1);                                      // [m, 1]
        var ranked = scores.topk(Math.Min(5, (int)scores.shape[1]), dim: 1).indexes;  // [m, 5]
        double top1 = ranked[.., ..1].eq(truth).any(1).to(ScalarType.Float64).mean().item<double>();
        double top5 = ranked.eq(truth).any(1).to(ScalarType.Float64).mean().item<double>();
        return new ProbeAccuracy(top1, top5);
    }
}
