using System.Reflection;
using Umt.Abstractions.Composition;
using Umt.Abstractions.Datasets;
using Umt.Abstractions.Masking;
using Umt.Abstractions.Objectives;
using Umt.Abstractions.TextEncoders;

namespace Umt.Plugin.Testing;

/// <summary>
/// The contract every plugin of a kind must keep, run over every plugin it is given (timm's
/// test_models.py idea): a plugin is covered the moment it is exported, with no per-plugin test
/// code. A plugin's own test project builds it from its assembly —
/// <c>PluginContractHarness.ForAssembly(typeof(MyFactory).Assembly)</c>, which discovers the
/// plugins exactly as the runner does — and runs <see cref="Check"/> for each of <see cref="Names"/>.
/// </summary>
public sealed class PluginContractHarness(IReadOnlyList<PluginExport> plugins, ContractSettings? settings = null)
{
    /// <summary>Kinds that have a contract here (a teacher's contract is its published weights' reference outputs).</summary>
    public static readonly IReadOnlyList<PluginKind> CheckedKinds = [PluginKind.Masking, PluginKind.Objective, PluginKind.Dataset, PluginKind.TextEncoder];

    public ContractSettings Settings { get; } = settings ?? new ContractSettings();

    public IReadOnlyList<PluginExport> Plugins { get; } = plugins;

    /// <summary>The plugins of the given assemblies, composed as the runner composes a plugin folder's.</summary>
    public static PluginContractHarness ForAssembly(Assembly assembly, ContractSettings? settings = null) =>
        new(PluginExports.Compose(assembly), settings);

    /// <summary>Names of the plugins of a kind, sorted (xunit: <c>TheoryData&lt;string&gt;</c>).</summary>
    public IReadOnlyList<string> Names(PluginKind kind) =>
        Plugins.Where(p => p.Kind == kind).Select(p => p.Name).Order(StringComparer.Ordinal).ToList();

    /// <summary>Every (kind, name) this harness checks, for one theory over a whole assembly.</summary>
    public IReadOnlyList<(PluginKind Kind, string Name)> All() =>
        [.. CheckedKinds.SelectMany(kind => Names(kind).Select(name => (kind, name)))];

    /// <summary>Runs the contract of one plugin; throws <see cref="PluginContractException"/> on the first broken promise.</summary>
    public void Check(PluginKind kind, string name)
    {
        var plugin = Plugins.FirstOrDefault(p => p.Kind == kind && p.Name == name)
            ?? throw new PluginContractException($"No {kind.Noun()} plugin named '{name}'; found: {string.Join(", ", Names(kind))}.");
        string label = $"the {kind.Noun()} plugin '{name}'";
        Contract.That(plugin.Failure is null, label, $"its factory must construct; it threw {plugin.Failure}");
        Contract.That(PluginExports.IsValidName(name), label, "its name must be lower kebab-case (e.g. 'my-objective'): it is a configuration word");
        var factory = plugin.Factory!;
        Contract.That(factory.OptionsType is { IsVisible: true, IsSealed: true } && factory.OptionsType.GetConstructor(Type.EmptyTypes) is not null,
            label, $"its options type {factory.OptionsType.FullName} must be a public sealed class with a parameterless constructor (its property initialisers are the defaults)");
        var options = Settings.Configure(plugin, Activator.CreateInstance(factory.OptionsType)!);
        switch (factory)
        {
            case IMaskingStrategyFactory masking:
                MaskingContract.Check(label, masking, options, Settings);
                break;
            case IObjectiveFactory objective:
                new ObjectiveContract(label, Settings, CaptionEncoder).Check(objective, options);
                break;
            case IVideoDatasetFactory dataset:
                DatasetContract.Check(label, dataset, options, Settings);
                break;
            case ITextEncoderFactory textEncoder:
                TextEncoderContract.Check(label, textEncoder, options, Settings);
                break;
            default:
                throw new PluginContractException($"{label}: the harness has no contract for its kind.");
        }
    }

    /// <summary>The text encoder caption objectives are checked with: the last one by name among the plugins, with its defaults.</summary>
    private ITextEncoder? CaptionEncoder()
    {
        var plugin = Plugins.Where(p => p.Kind == PluginKind.TextEncoder && p.Factory is not null).MaxBy(p => p.Name, StringComparer.Ordinal);
        if (plugin?.Factory is not ITextEncoderFactory factory)
        {
            return null;
        }
        var options = Settings.Configure(plugin, Activator.CreateInstance(factory.OptionsType)!);
        return factory.Create(options, Settings.Context(Settings.Student));
    }
}
