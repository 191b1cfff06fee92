using System.Composition.Hosting;
using Serilog.Core;
using Umt.Abstractions.Composition;
using Umt.Abstractions.Geometry;
using Umt.Abstractions.Masking;
using Umt.Abstractions.Randomness;
using Umt.Plugins.Masking.Tube;
using static TorchSharp.torch;

namespace Umt.Tests.Masking;

/// <summary>
/// Reaches the built-in masking factories the way the runner does (MEF export by name), so the
/// tests exercise the export attribute and the public factory contract, not internals.
/// </summary>
internal static class MaskingTestKit
{
    /// <summary>The factory exported under <paramref name="name"/> by Umt.Plugins.Masking.</summary>
    public static (IMaskingStrategyFactory Factory, PluginMetadata Metadata) Export(string name)
    {
        using var host = new ContainerConfiguration().WithAssembly(typeof(TubeMaskingOptions).Assembly).CreateContainer();
        var export = host.GetExports<Lazy<IMaskingStrategyFactory, PluginMetadata>>().Single(e => e.Metadata.Name == name);
        return (export.Value, export.Metadata);
    }

    /// <summary>Options of <paramref name="name"/> with <paramref name="ratio"/> set, built through the factory's OptionsType.</summary>
    public static object Options(string name, double ratio)
    {
        var options = Activator.CreateInstance(Export(name).Factory.OptionsType)!;
        options.GetType().GetProperty("Ratio")!.SetValue(options, ratio);
        return options;
    }

    /// <summary>A strategy of <paramref name="name"/> bound to <paramref name="ratio"/>.</summary>
    public static IMaskingStrategy Strategy(string name, double ratio) =>
        Export(name).Factory.Create(Options(name, ratio), Context);

    /// <summary>Per-sample keys for global samples <c>[first, first + count)</c>.</summary>
    public static SampleKeys Keys(long step, int first, int count, long seed = 7) =>
        new(seed, step, Enumerable.Range(first, count).Select(i => (long)i).ToArray());

    /// <summary>The mask of <paramref name="keys"/> on the grid, copied to the CPU as rows of bools.</summary>
    public static bool[][] Rows(IMaskingStrategy strategy, TokenGrid grid, SampleKeys keys)
    {
        using var mask = strategy.CreateMask(new MaskingInput(grid, keys, CPU)); // [B, N] bool
        mask.dtype.Should().Be(ScalarType.Bool);
        mask.shape.Should().Equal(keys.Count, grid.Count);
        var flat = mask.data<bool>().ToArray();
        return Enumerable.Range(0, keys.Count).Select(b => flat.AsSpan(b * grid.Count, grid.Count).ToArray()).ToArray();
    }

    /// <summary>The plugin context every masking test creates and describes with.</summary>
    public static PluginContext Context { get; } =
        new(CPU, Seed: 7, new StudentSpec(Width: 32, Depth: 2, Heads: 2, Frames: 2, ImageSize: 56, PatchSize: 8, Tubelet: 1),
            Logger.None, BaseDirectory: Path.GetTempPath());
}
