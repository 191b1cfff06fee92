using System.Composition;
using Umt.Abstractions.Composition;
using Umt.Abstractions.Datasets;

namespace Umt.Plugins.Datasets.Synthetic;

/// <summary>MEF export of SyntheticActions, the embedded default dataset (synthetic-benchmark.md).</summary>
[ExportVideoDataset("synthetic", Description = "SyntheticActions: procedural clips of a moving shape with motion/appearance labels, captions and boxes; deterministic, in memory."), Shared]
internal sealed class SyntheticDatasetFactory : VideoDatasetFactory<SyntheticOptions>
{
    [ImportingConstructor, Obsolete("Constructed by MEF only.", error: true)]
    public SyntheticDatasetFactory()
    {
    }

    // Frames and size belong to the run's student, not to the dataset's options.
    protected override DatasetInfo Describe(SyntheticOptions options, PluginContext context) =>
        SyntheticVideoDataset.Describe(options, context.Student);

    protected override IVideoDataset Create(SyntheticOptions options, PluginContext context) =>
        new SyntheticVideoDataset(options, context.Student);
}
