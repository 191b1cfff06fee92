using System.Text.Json;
using System.Text.RegularExpressions;
using Umt.Abstractions.Composition;
using Umt.Plugin.Testing;
using Umt.Runner.Engine.Composition;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;

namespace Umt.Tests.Sdk;

/// <summary>
/// The path a stranger takes: <c>dotnet new umt-objective</c> / <c>umt-masking</c> from templates/,
/// built against the packed SDK alone (the local feed, offline with the user's packages as fallback),
/// passes the contract harness, and is listed by <c>umt plugins</c> and used by <c>umt train</c> /
/// <c>umt validate</c> from a plugin folder by one configuration word.
/// </summary>
public sealed class PluginTemplateTests(ITestOutputHelper log)
{
    [Fact]
    public void An_objective_from_the_template_builds_from_the_feed_passes_the_harness_and_trains_by_one_word()
    {
        using var temp = new TemporaryDirectory();
        string plugins = Instantiate(temp, "umt-objective", "NormFloor");

        var catalog = PluginCatalog.Load([plugins]);
        var entry = catalog.Find(PluginKind.Objective, "norm-floor");
        entry.Should().NotBeNull("the template names the plugin by the kebab-cased project name");
        new PluginContractHarness([new PluginExport(entry!.Kind, entry.Name, entry.Description, entry.Factory, null)]).Check(PluginKind.Objective, "norm-floor");

        var listed = TestSupport.Umt.Run(log, "plugins", "--json", "--set", $"Umt:PluginDirectories:0={plugins}");
        listed.ExitCode.Should().Be(0, listed.All);
        var plugin = JsonDocument.Parse(listed.Output).RootElement.EnumerateArray().Single(p => p.GetProperty("name").GetString() == "norm-floor");
        plugin.GetProperty("kind").GetString().Should().Be("objective");
        plugin.GetProperty("options").EnumerateArray().Single().GetProperty("description").GetString().Should().Contain("L2 norm", "option help comes from the plugin's XML docs");

        var trained = TestSupport.Umt.Run(log, "train", "--config", "configs/videomae.json",
            "--set", $"Umt:PluginDirectories:0={plugins}", "--set", "Umt:Objectives:norm-floor:Weight=0.5",
            "--set", "Umt:Run:Steps=2", "--set", "Umt:Run:BatchSize=2", "--set", "Umt:Run:DataWorkers=1", "--set", $"Umt:Run:OutputDir={temp.Combine("run")}");
        trained.ExitCode.Should().Be(0, trained.All);
        File.ReadAllText(temp.Combine("run", "log.jsonl")).Should().Contain("norm-floor×0.5").And.Contain("norm-floor=", "the template's loss is logged beside mae-pixels");
    }

    [Fact]
    public void A_masking_strategy_from_the_template_builds_from_the_feed_passes_the_harness_and_is_selected_by_one_word()
    {
        using var temp = new TemporaryDirectory();
        string plugins = Instantiate(temp, "umt-masking", "FrameShuffle");

        var catalog = PluginCatalog.Load([plugins]);
        var entry = catalog.Find(PluginKind.Masking, "frame-shuffle");
        entry.Should().NotBeNull();
        new PluginContractHarness([new PluginExport(entry!.Kind, entry.Name, entry.Description, entry.Factory, null)]).Check(PluginKind.Masking, "frame-shuffle");

        var validated = TestSupport.Umt.Run(log, "validate", "--config", "configs/videomae.json",
            "--set", $"Umt:PluginDirectories:0={plugins}", "--set", "Umt:Masking:Use=frame-shuffle", "--set", "Umt:Masking:Options:frame-shuffle:Ratio=0.5");
        validated.ExitCode.Should().Be(0, validated.All);
        validated.Output.Should().Contain("frame-shuffle").And.Contain("Configuration is valid.");
    }

    [Fact]
    public void The_templates_and_the_sample_plugin_name_the_packed_version()
    {
        string version = Regex.Match(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "build", "Packaging.props")), "<UmtSdkVersion>(.+?)</UmtSdkVersion>").Groups[1].Value;

        version.Should().MatchRegex(@"^\d+\.\d+\.\d+");
        foreach (string template in new[] { "umt-objective", "umt-masking" })
        {
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "templates", template, ".template.config", "template.json")));
            json.RootElement.GetProperty("symbols").GetProperty("SdkVersion").GetProperty("defaultValue").GetString().Should().Be(version, $"{template} must default to the version build/pack-sdk.sh packs");
        }
        File.ReadAllText(Path.Combine(RepositoryPaths.Root, "tests", "ThirdPartyPlugin", "Umt.ThirdParty.SampleObjective.csproj"))
            .Should().Contain($"Include=\"Umt.Plugin.Sdk\" Version=\"{version}\"");
    }

    /// <summary>
    /// <c>dotnet new install</c> (into a template hive of the test's own, not the user's) and
    /// instantiate <paramref name="template"/> in an empty folder outside the repository, build it
    /// from the feed into a packages folder of its own, and install its output as a plugin folder.
    /// </summary>
    /// <returns>The Umt:PluginDirectories folder holding it.</returns>
    private string Instantiate(TemporaryDirectory temp, string template, string name)
    {
        string[] hive = ["--debug:custom-hive", temp.Combine("hive")];
        PluginSdk.Run("dotnet", ["new", "install", Path.Combine(RepositoryPaths.Root, "templates", template), .. hive]);
        string project = temp.Combine(name);
        log.WriteLine(PluginSdk.Run("dotnet", ["new", template, "-n", name, "-o", project, "--Feed", PluginSdk.Feed, .. hive]));
        string output = PluginSdk.Build(Path.Combine(project, name + ".csproj"), "--packages", temp.Combine("packages"));
        Directory.GetFiles(output, "*.dll").Select(Path.GetFileName).Should().Equal([name + ".dll"], "the contracts, the modules and TorchSharp are the host's, compile-only");
        string plugins = temp.Combine("plugins");
        string folder = Path.Combine(plugins, name);
        Directory.CreateDirectory(folder);
        foreach (string file in Directory.GetFiles(output))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }
        return plugins;
    }
}
