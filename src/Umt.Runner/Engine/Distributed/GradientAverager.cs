using TorchSharp.Modules;
using Umt.Abstractions.Distributed;
using static TorchSharp.torch;

namespace Umt.Runner.Engine.Distributed;

/// <summary>
/// Averages the gradients over processes after backward and before the optimizer step, as
/// PyTorch's DDP: every process then applies the same update to the same weights. Gradients are
/// copied into buckets of about <c>Umt:Distributed:BucketMegabytes</c> (DDP's <c>bucket_cap_mb</c>)
/// and each bucket is reduced in one call, because a message per parameter pays the network's
/// latency ~150 times per ViT-B step. Parameters without a gradient this step are skipped on every
/// process alike; a first reduction of the bucket sizes turns a mismatch (which would hang or mix
/// unrelated values) into an error.
/// </summary>
public sealed class GradientAverager(IReadOnlyList<Parameter> parameters, ICollectives collectives, int bucketMegabytes)
{
    public void Average()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var buckets = Buckets();
        CheckAgreement(buckets);
        foreach (var bucket in buckets)
        {
            var flat = cat(bucket.Select(g => g.reshape(-1)).ToList());              // [Σ numel]
            collectives.AllReduce(flat, ReduceOperation.Mean);
            long offset = 0;
            foreach (var gradient in bucket)
            {
                gradient.copy_(flat.narrow(0, offset, gradient.numel()).view_as(gradient));
                offset += gradient.numel();
            }
        }
    }

    /// <summary>The step's gradients in parameter order, grouped into buckets of one dtype and at most the configured size (a larger gradient alone).</summary>
    private List<List<Tensor>> Buckets()
    {
        long capacity = (long)bucketMegabytes << 20;
        var buckets = new List<List<Tensor>>();
        List<Tensor>? current = null;
        long bytes = 0;
        foreach (var parameter in parameters)
        {
            if (parameter.grad is not { } gradient)
            {
                continue;
            }
            long size = gradient.numel() * gradient.element_size();
            if (current is null || bytes + size > capacity || current[0].dtype != gradient.dtype)
            {
                current = [];
                buckets.Add(current);
                bytes = 0;
            }
            current.Add(gradient);
            bytes += size;
        }
        return buckets;
    }

    private void CheckAgreement(List<List<Tensor>> buckets)
    {
        long elements = buckets.Sum(b => b.Sum(g => g.numel()));
        var signature = tensor(new long[] { elements, -elements, buckets.Count, -buckets.Count }); // max of both signs = the max and −min over processes
        collectives.AllReduce(signature, ReduceOperation.Max);
        var agreed = signature.data<long>().ToArray();
        if (agreed[0] != -agreed[1] || agreed[2] != -agreed[3])
        {
            throw new InvalidOperationException(
                $"Rank {collectives.Rank}: the processes hold different gradients this step (elements {-agreed[1]}..{agreed[0]}, buckets {-agreed[3]}..{agreed[2]}); "
                + "every process must run the same objectives on batches of the same shape.");
        }
    }
}
