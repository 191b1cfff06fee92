using static TorchSharp.torch;

namespace Umt.Runner.Workflows.Finetuning;

/// <summary>
/// The multi-view test's per-clip prediction: the mean over views of the softmax of each view's
/// logits, as the reference's engine_for_finetuning.py <c>merge</c> (softmax per view line, then
/// <c>compute_video</c>'s <c>np.mean</c>; a view seen twice counts once). A clip some view could
/// not read is averaged over the views that read it; a clip no view read has no prediction.
/// </summary>
public sealed class MultiViewScores : IDisposable
{
    private readonly Tensor sums;          // [n, C], fp64 so many views add without drift
    private readonly int[] views;
    private readonly HashSet<(long Index, int View)> seen = [];

    public MultiViewScores(long samples, int classes)
    {
        sums = zeros([samples, classes], ScalarType.Float64);
        views = new int[samples];
    }

    /// <summary>Adds one view's logits <c>[b, C]</c> of the dataset rows <paramref name="indices"/>.</summary>
    public void Add(int view, IReadOnlyList<long> indices, Tensor logits)
    {
        using var scope = NewDisposeScope();
        var fresh = Enumerable.Range(0, indices.Count).Where(row => seen.Add((indices[row], view))).ToArray();
        if (fresh.Length == 0)
        {
            return;
        }
        var rows = tensor(fresh.Select(row => (long)row).ToArray());                             // [f]
        var probabilities = logits.cpu().to(ScalarType.Float64).softmax(1).index_select(0, rows); // [f, C]
        sums.index_add_(0, tensor(fresh.Select(row => indices[row]).ToArray()), probabilities, 1);
        foreach (int row in fresh)
        {
            views[indices[row]]++;
        }
    }

    /// <summary>Rows read by at least one view, and their mean probabilities <c>[m, C]</c>.</summary>
    public (long[] Indices, Tensor Mean) Mean()
    {
        long[] read = [.. Enumerable.Range(0, views.Length).Where(i => views[i] > 0).Select(i => (long)i)];
        using var scope = NewDisposeScope();
        var rows = tensor(read);                                                                   // [m]
        var counts = tensor(read.Select(i => (double)views[i]).ToArray()).unsqueeze(1);            // [m, 1]
        return (read, (sums.index_select(0, rows) / counts).MoveToOuterDisposeScope());           // [m, C]
    }

    public void Dispose() => sums.Dispose();
}
