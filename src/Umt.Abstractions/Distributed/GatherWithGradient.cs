using static TorchSharp.torch;

namespace Umt.Abstractions.Distributed;

/// <summary>
/// All-gather that gradients flow through, the reference's <c>GatherLayer</c>
/// (multi_modality/utils/distributed.py, used by <c>allgather_wgrad</c> in the VTC loss): forward
/// concatenates every process's rows in rank order; backward sums the gathered gradient over
/// processes and returns this process's slice. Every process scores the whole gathered batch, so
/// the summed slice is W times the gradient of that loss with respect to its own rows; the
/// gradient average over processes then divides by W again, and the update equals one process's
/// on the whole batch.
/// </summary>
public static class GatherWithGradient
{
    /// <returns><c>[W·B, …]</c>, differentiable in <paramref name="tensor"/>; <paramref name="tensor"/> itself for a world of one.</returns>
    public static Tensor Apply(ICollectives collectives, Tensor tensor) =>
        collectives.WorldSize == 1 ? tensor : GatherFunction.apply(tensor, collectives);

    private sealed class GatherFunction : autograd.SingleTensorFunction<GatherFunction>
    {
        private const string CollectivesKey = "collectives";
        private const string RowsKey = "rows";

        public override string Name => "GatherWithGradient";

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var local = (Tensor)vars[0];                                  // [B, …]
            var collectives = (ICollectives)vars[1];
            ctx.save_data(CollectivesKey, collectives);
            ctx.save_data(RowsKey, local.shape[0]);
            using var _ = no_grad();
            return collectives.AllGather(local.contiguous());             // [W·B, …]
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
        {
            var collectives = (ICollectives)ctx.get_data(CollectivesKey);
            long rows = (long)ctx.get_data(RowsKey);
            var summed = gradOutput.contiguous().clone();                 // [W·B, …]
            collectives.AllReduce(summed, ReduceOperation.Sum);
            return [summed.narrow(0, collectives.Rank * rows, rows).contiguous(), null!]; // [B, …]; the collectives get no gradient
        }
    }
}
