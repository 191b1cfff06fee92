using Umt.Abstractions.Composition;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Configuration;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;

namespace Umt.Tests.Runner;

/// <summary>
/// A plugin built as a stranger's (tests/ThirdPartyPlugin, restored from the packed SDK alone) is
/// copied into a PluginDirectories folder, discovered by MEF and used in a run.
/// </summary>
public sealed class ThirdPartyPluginTests(ITestOutputHelper log)
{
    internal const string PluginAssembly = "Umt.ThirdParty.SampleObjective.dll";

    /// <summary>Copies the sample plugin's build output into <c>plugins/&lt;folder&gt;</c> of <paramref name="temp"/>.</summary>
    internal static string InstallPlugin(TemporaryDirectory temp, string folder = "token-variance")
    {
        string target = temp.Combine("plugins", folder);
        Directory.CreateDirectory(target);
        foreach (string file in Directory.GetFiles(PluginSdk.SampleObjectiveOutput))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }
        return target;
    }

    [Fact]
    public void The_plugin_folder_holds_only_the_plugin_not_the_shared_assemblies()
    {
        var files = Directory.GetFiles(PluginSdk.SampleObjectiveOutput, "*.dll").Select(Path.GetFileName);

        files.Should().Contain(PluginAssembly);
        files.Should().NotContain(["Umt.Abstractions.dll", "Umt.Models.dll", "TorchSharp.dll"]);
    }

    [Fact]
    public void A_plugin_in_a_plugin_directory_is_discovered_with_its_metadata()
    {
        using var temp = new TemporaryDirectory();
        InstallPlugin(temp);

        var catalog = PluginCatalog.Load([temp.Combine("plugins")]);

        var entry = catalog.Find(PluginKind.Objective, "token-variance");
        entry.Should().NotBeNull();
        entry!.AssemblyName.Should().Be(PluginAssembly);
        entry.Description.Should().Contain("Variance floor");
        entry.Factory.GetType().Assembly.Location.Should().StartWith(temp.Path, "the plugin is loaded from its folder, not from the test's output");
    }

    [Fact]
    public void A_third_party_objective_is_used_in_a_training_run()
    {
        using var temp = new TemporaryDirectory();
        InstallPlugin(temp);

        var result = TestSupport.Umt.Run(log, "train", "--config", "configs/videomae.json",
            "--set", $"Umt:PluginDirectories:0={temp.Combine("plugins")}",
            "--set", "Umt:Objectives:token-variance:Weight=0.5",
            "--set", "Umt:Objectives:token-variance:Options:Target=0.8",
            "--set", "Umt:Run:Steps=2", "--set", "Umt:Run:BatchSize=2", "--set", "Umt:Run:DataWorkers=1",
            "--set", $"Umt:Run:OutputDir={temp.Combine("run")}");

        result.ExitCode.Should().Be(0);
        string logText = File.ReadAllText(temp.Combine("run", "log.jsonl"));
        logText.Should().Contain("token-variance×0.5").And.Contain("token-variance=", "the objective's loss is logged beside mae-pixels");
    }

    [Fact]
    public void A_plugin_folder_carrying_its_own_contracts_is_refused()
    {
        using var temp = new TemporaryDirectory();
        string folder = InstallPlugin(temp);
        File.Copy(typeof(IPluginFactory).Assembly.Location, Path.Combine(folder, "Umt.Abstractions.dll"));

        var act = () => PluginCatalog.Load([temp.Combine("plugins")]);

        act.Should().Throw<ConfigurationException>().Which.Errors.Should().ContainSingle()
            .Which.Should().Contain("carries its own copy of Umt.Abstractions.dll").And.Contain(folder).And.Contain("compile-only");
    }

    [Fact]
    public void Two_plugins_with_the_same_name_are_an_error_naming_both()
    {
        using var temp = new TemporaryDirectory();
        InstallPlugin(temp, "first");
        InstallPlugin(temp, "second");

        var act = () => PluginCatalog.Load([temp.Combine("plugins")]);

        act.Should().Throw<ConfigurationException>().Which.Message.Should()
            .Contain("Two objective plugins are named 'token-variance'")
            .And.Contain(Path.Combine("first", PluginAssembly)).And.Contain(Path.Combine("second", PluginAssembly));
    }

    [Fact]
    public void Every_built_in_kind_has_its_plugins()
    {
        var catalog = PluginCatalog.Load([]);

        catalog.Of(PluginKind.Masking).Select(e => e.Name).Should().Contain(["random", "tube"]);
        catalog.Of(PluginKind.Objective).Select(e => e.Name).Should().Contain("mae-pixels");
        catalog.Of(PluginKind.Dataset).Select(e => e.Name).Should().Contain("synthetic");
    }

    [Fact]
    public void Plugins_lists_every_plugin_with_options_and_defaults_as_json()
    {
        var result = TestSupport.Umt.Run(log, "plugins", "--json");

        result.ExitCode.Should().Be(0);
        var plugins = System.Text.Json.JsonDocument.Parse(result.Output).RootElement.EnumerateArray().ToList();
        var tube = plugins.Single(p => p.GetProperty("name").GetString() == "tube");
        tube.GetProperty("kind").GetString().Should().Be("masking");
        var ratio = tube.GetProperty("options").EnumerateArray().Single(o => o.GetProperty("name").GetString() == "Ratio");
        ratio.GetProperty("default").GetDouble().Should().Be(0.9);
        ratio.GetProperty("description").GetString().Should().NotBeNullOrWhiteSpace("option help comes from the options class's XML docs");
        plugins.Select(p => p.GetProperty("name").GetString()).Should().Contain(["none", "random", "mae-pixels", "synthetic"]);
    }
}
