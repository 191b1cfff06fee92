using Umt.Abstractions.Masking;
using Umt.Abstractions.Randomness;
using static TorchSharp.torch;

namespace Umt.Plugin.Testing;

/// <summary>
/// A mask is <c>[B, N]</c> bool (true = hidden) with the same visible count in every row, the one
/// <c>Describe</c> promises; it is a function of each sample's key alone (reproducible, the same
/// however the batch is split across steps or processes) and changes with the step.
/// </summary>
internal static class MaskingContract
{
    public static void Check(string label, IMaskingStrategyFactory factory, object options, ContractSettings settings)
    {
        using var scope = NewDisposeScope();
        var context = settings.Context(settings.Student);
        var grid = settings.Student.Grid;
        var traits = factory.Describe(options, context);
        var strategy = factory.Create(options, context);
        var keys = new SampleKeys(7, 3, [10, 11, 12, 13]);
        // Head-averaged-softmax-like attention rows [B·T, P] for strategies that read it.
        var attention = traits.NeedsTeacherAttention ? softmax(randn(4 * grid.T, grid.PerSlot, generator: new Generator(5)), 1) : null;
        Tensor? Rows(int start, int count) => attention?.narrow(0, start * grid.T, count * grid.T);

        var mask = strategy.CreateMask(new MaskingInput(grid, keys, CPU, attention));                  // [B, N], true = hidden
        Contract.That(mask.dtype == ScalarType.Bool, label, $"the mask must be bool (true = hidden), not {mask.dtype}");
        Contract.That(mask.shape.SequenceEqual([4L, grid.Count]), label, $"the mask must be [B, N] = [4, {grid.Count}], not [{string.Join(", ", mask.shape)}]");
        Contract.That(mask.device_type == TorchSharp.DeviceType.CPU, label, "the mask must be on the requested device");
        var visible = (~mask).sum(1).data<long>().ToArray();                                          // [B]
        long promised = traits.VisiblePerClip(grid);
        Contract.That(visible.All(v => v == promised), label, $"every row must keep the {promised} visible tokens Describe promises; rows keep {string.Join(", ", visible)}");
        Contract.That(visible[0] >= 1 && visible[0] < grid.Count, label, "the default options must hide some tokens and keep some");
        if (options.GetType().GetProperty("Ratio")?.GetValue(options) is double ratio)
        {
            double hidden = 1 - visible[0] / (double)grid.Count;
            Contract.That(Math.Abs(hidden - ratio) <= 1.0 / grid.PerSlot, label, $"the hidden share {hidden:F3} must honour Ratio = {ratio} up to rounding per slot");
        }

        var again = strategy.CreateMask(new MaskingInput(grid, keys, CPU, attention));
        var first = strategy.CreateMask(new MaskingInput(grid, keys.Slice(0, 2), CPU, Rows(0, 2)));
        var second = strategy.CreateMask(new MaskingInput(grid, keys.Slice(2, 2), CPU, Rows(2, 2)));
        var nextStep = strategy.CreateMask(new MaskingInput(grid, keys with { Step = 4 }, CPU, attention));
        Contract.That(again.equal(mask).all().item<bool>(), label, "the same keys must give the same mask");
        Contract.That(cat([first, second], 0).equal(mask).all().item<bool>(), label, "a sample's mask must depend on its key, not on its batch");
        Contract.That(!nextStep.equal(mask).all().item<bool>(), label, "another step must draw another mask");
    }
}
