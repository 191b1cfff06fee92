using static TorchSharp.torch;

namespace Umt.Runner.Engine.Step;

/// <summary>The losses and gradient norm of one optimizer step, as read from the device.</summary>
/// <param name="Total">Weighted total, averaged over the micro-batches.</param>
/// <param name="PerObjective">Each objective's unweighted loss, averaged over the micro-batches.</param>
/// <param name="Norm">L2 norm of all gradients (before any clipping).</param>
internal sealed record StepReading(double Total, Dictionary<string, double> PerObjective, double Norm);

/// <summary>
/// Sums the micro-batches' losses on the device (detached, each divided by the accumulation count)
/// so the step reads them once, together with its gradient norm, instead of once per micro-batch
/// and objective (each read waits for the device to drain).
/// </summary>
internal sealed class LossSums(int accumulate)
{
    private readonly List<string> names = [];
    private Tensor? total;
    private Tensor[] perObjective = [];

    /// <summary>Adds one micro-batch's losses (the objectives in the same order every micro-batch).</summary>
    public void Add(StepLosses losses)
    {
        if (total is null)
        {
            names.AddRange(losses.PerObjective.Keys);
            total = Share(losses.Total);                                                           // []
            perObjective = names.Select(n => Share(losses.PerObjective[n])).ToArray();            // each []
            return;
        }
        total = total + Share(losses.Total);                                                       // []
        perObjective = names.Select((n, i) => perObjective[i] + Share(losses.PerObjective[n])).ToArray();
    }

    /// <summary>The one host read of the step: every loss and <paramref name="norm"/> in one float64 transfer.</summary>
    /// <param name="norm"><c>[]</c> gradient norm on the device.</param>
    public StepReading ReadWith(Tensor norm)
    {
        var values = stack([total!, .. perObjective, norm.detach().to(ScalarType.Float32)])
            .to(ScalarType.Float64).cpu().data<double>().ToArray();                                // [2 + objectives]  the step's one device sync
        var named = new Dictionary<string, double>();
        for (int i = 0; i < names.Count; i++)
        {
            named[names[i]] = values[i + 1];
        }
        return new StepReading(values[0], named, values[^1]);
    }

    private Tensor Share(Tensor loss) => (accumulate == 1 ? loss.detach() : loss.detach() / accumulate).to(ScalarType.Float32); // []
}
