using Umt.Abstractions.Composition;
using Umt.Plugin.Testing;
using Umt.Plugins.Datasets.Ava;
using Umt.Plugins.Datasets.MediaDatasets;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Configuration;
using Umt.Runner.Engine.Step;
using Umt.Tests.TestSupport;
using static TorchSharp.torch;

namespace Umt.Tests.Contracts;

/// <summary>
/// The contract harness (Umt.Plugin.Testing, the one a plugin's own tests run) over every plugin
/// <c>umt</c> discovers here: the built-in ones and those in the folders of plugins.json's
/// <c>Umt:PluginDirectories</c>. A new plugin is covered the moment it is exported.
/// </summary>
public sealed class PluginContractTests
{
    private static readonly Lazy<PluginContractHarness> Harness = new(() => new PluginContractHarness(Discovered(), new ContractSettings
    {
        BaseDirectory = RepositoryPaths.Root,
        Configure = PointMediaDatasetsAtFiles,
        VisionLanguage = (encoder, heads, batch, tokens, grid) => VisionLanguageStep.Encode(encoder, heads, batch, tokens, grid, CPU),
    }));

    /// <summary>SyntheticActions written as .mp4/.jpg files once per test run, with a manifest per real-data plugin.</summary>
    private static readonly Lazy<ContractMediaCorpus> MediaCorpus = new(() => new ContractMediaCorpus());

    public static TheoryData<string> MaskingPlugins => Names(PluginKind.Masking);

    public static TheoryData<string> ObjectivePlugins => Names(PluginKind.Objective);

    public static TheoryData<string> DatasetPlugins => Names(PluginKind.Dataset);

    public static TheoryData<string> TextEncoderPlugins => Names(PluginKind.TextEncoder);

    private static TheoryData<string> Names(PluginKind kind) => new(Harness.Value.Names(kind));

    [Theory, MemberData(nameof(MaskingPlugins))]
    public void Masking_keeps_its_contract(string name) => Harness.Value.Check(PluginKind.Masking, name);

    [Theory, MemberData(nameof(ObjectivePlugins))]
    public void Objective_keeps_its_contract(string name) => Harness.Value.Check(PluginKind.Objective, name);

    [Theory, MemberData(nameof(DatasetPlugins))]
    public void Dataset_keeps_its_contract(string name) => Harness.Value.Check(PluginKind.Dataset, name);

    [Theory, MemberData(nameof(TextEncoderPlugins))]
    public void Text_encoder_keeps_its_contract(string name) => Harness.Value.Check(PluginKind.TextEncoder, name);

    /// <summary>What <c>umt</c> discovers with the repository's plugins.json, broken plugins included (they fail their check).</summary>
    private static IReadOnlyList<PluginExport> Discovered()
    {
        var configuration = ConfigurationLayers.Build(RepositoryPaths.Root, [], []);
        var catalog = PluginCatalog.Load(RunnerServices.PluginDirectories(configuration, RepositoryPaths.Root));
        return
        [
            .. Enum.GetValues<PluginKind>().SelectMany(catalog.Of).Select(e => new PluginExport(e.Kind, e.Name, e.Description, e.Factory, null)),
            .. catalog.Broken.Where(b => b.Kind is not null).Select(b => new PluginExport(b.Kind!.Value, b.Name!, "", null, b.Reason)),
        ];
    }

    /// <summary>A dataset of files has no usable default manifest: point it at real files of its format.</summary>
    private static object PointMediaDatasetsAtFiles(PluginExport plugin, object options)
    {
        if (options is MediaFileOptions media)
        {
            (media.Manifest, media.Root) = (MediaCorpus.Value.Manifest(plugin.Name), MediaCorpus.Value.Root);
        }
        if (options is AvaOptions ava)
        {
            // The export's AVA form: videos under videos/, written at 8 fps from second 0.
            (ava.Root, ava.FrameRate, ava.TimeOffset) = (Path.Combine(MediaCorpus.Value.Root, "videos"), 8, 0);
        }
        return options;
    }
}
