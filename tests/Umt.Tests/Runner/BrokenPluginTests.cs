using Umt.Abstractions.Composition;
using Umt.Runner.Engine.Composition;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;

namespace Umt.Tests.Runner;

/// <summary>
/// Plugins that cannot be constructed. The sample plugin assembly ships, beside its working
/// <c>token-variance</c>, an objective whose constructor throws and a masking strategy whose static
/// initialiser throws; a folder may also hold a file that is no assembly at all. Each is recorded
/// as broken with its name, assembly and reason: commands that do not select it work (with a
/// warning), selecting it is exit 2 naming all three, and <c>umt plugins</c> lists it.
/// </summary>
public sealed class BrokenPluginTests : IDisposable
{
    private const string ConstructorFailure = "the licence server is unreachable (sample broken plugin)";
    private const string StaticFailure = "masks.bin is missing (sample broken plugin)";

    private readonly ITestOutputHelper log;
    private readonly TemporaryDirectory temp = new();

    public BrokenPluginTests(ITestOutputHelper log)
    {
        this.log = log;
        ThirdPartyPluginTests.InstallPlugin(temp);
    }

    public void Dispose() => temp.Dispose();

    private string PluginFolder => temp.Combine("plugins");

    private TestSupport.Umt.Result Run(params string[] args) =>
        TestSupport.Umt.Run(log, [.. args, "--set", $"Umt:PluginDirectories:0={PluginFolder}"]);

    [Fact]
    public void Commands_that_do_not_select_a_broken_plugin_work_and_warn_once_per_plugin()
    {
        var result = Run("validate");

        result.ExitCode.Should().Be(0, result.All);
        result.Output.Should().Contain("Configuration is valid.");
        var warnings = result.Output.Split('\n').Where(line => line.StartsWith("warning:", StringComparison.Ordinal)).ToList();
        warnings.Should().ContainSingle(w => w.Contains("'broken-constructor'")).Which.Should()
            .Contain(ThirdPartyPluginTests.PluginAssembly).And.Contain(ConstructorFailure);
        warnings.Should().ContainSingle(w => w.Contains("'broken-static'")).Which.Should().Contain(StaticFailure);
    }

    [Fact]
    public void Selecting_an_objective_whose_constructor_throws_names_the_plugin_its_assembly_and_the_reason()
    {
        var result = Run("validate", "--set", "Umt:Objectives:broken-constructor:Weight=1");

        result.ExitCode.Should().Be(2, result.All);
        result.Error.Should().StartWith("umt: configuration error:")
            .And.Contain("Umt:Objectives:broken-constructor").And.Contain("'broken-constructor'")
            .And.Contain(Path.Combine(PluginFolder, "token-variance", ThirdPartyPluginTests.PluginAssembly))
            .And.Contain(ConstructorFailure);
        result.All.Should().NotContain("   at ", "a broken plugin is a configuration error, not a crash");
    }

    [Fact]
    public void Selecting_a_masking_strategy_whose_static_initialiser_throws_names_the_plugin_and_the_reason()
    {
        var result = Run("validate", "--set", "Umt:Masking:Use=broken-static");

        result.ExitCode.Should().Be(2, result.All);
        result.Error.Should().Contain("Umt:Masking:Use").And.Contain("'broken-static'")
            .And.Contain(ThirdPartyPluginTests.PluginAssembly).And.Contain(StaticFailure)
            .And.NotContain("unknown masking strategy", "the plugin exists; it is broken");
    }

    [Fact]
    public void An_objective_turned_off_by_weight_0_is_not_constructed_so_its_breakage_is_only_a_warning()
    {
        var result = Run("validate", "--set", "Umt:Objectives:broken-constructor:Weight=0");

        result.ExitCode.Should().Be(0, result.All);
    }

    [Fact]
    public void Plugins_lists_broken_plugins_with_their_reason()
    {
        var text = Run("plugins");
        var json = Run("plugins", "--json");

        text.ExitCode.Should().Be(0, text.All);
        text.Output.Should().Contain("token-variance");
        text.Output.Split('\n').Should().ContainSingle(line => line.Contains("broken-constructor")).Which.Should()
            .Contain("BROKEN").And.Contain(ThirdPartyPluginTests.PluginAssembly).And.Contain(ConstructorFailure);
        json.ExitCode.Should().Be(0, json.All);
        var plugins = System.Text.Json.JsonDocument.Parse(json.Output).RootElement.EnumerateArray().ToList();
        var broken = plugins.Single(p => p.GetProperty("name").GetString() == "broken-static");
        broken.GetProperty("kind").GetString().Should().Be("masking");
        broken.GetProperty("broken").GetString().Should().Contain(StaticFailure);
        plugins.Single(p => p.GetProperty("name").GetString() == "token-variance").GetProperty("broken").ValueKind
            .Should().Be(System.Text.Json.JsonValueKind.Null);
    }

    [Fact]
    public void A_file_in_a_plugin_folder_that_is_no_assembly_is_a_warning_naming_the_file()
    {
        string garbage = temp.Combine("plugins", "notes", "Vendor.Plugin.dll");
        Directory.CreateDirectory(Path.GetDirectoryName(garbage)!);
        File.WriteAllText(garbage, "not a PE file");

        var result = Run("validate");
        var plugins = Run("plugins");

        result.ExitCode.Should().Be(0, result.All);
        result.Output.Should().Contain("warning:").And.Contain(garbage);
        plugins.ExitCode.Should().Be(0, plugins.All);
        plugins.Output.Should().Contain(garbage).And.Contain("token-variance");
    }

    [Fact]
    public void The_catalog_records_each_broken_plugin_and_keeps_its_working_sibling()
    {
        var catalog = PluginCatalog.Load([PluginFolder]);

        catalog.Find(PluginKind.Objective, "token-variance").Should().NotBeNull("one broken plugin does not take its assembly's others down");
        var broken = catalog.Broken.Should().ContainSingle(b => b.Name == "broken-constructor").Subject;
        broken.Kind.Should().Be(PluginKind.Objective);
        broken.AssemblyPath.Should().Be(Path.Combine(PluginFolder, "token-variance", ThirdPartyPluginTests.PluginAssembly));
        broken.Reason.Should().Contain(ConstructorFailure).And.Contain(nameof(InvalidOperationException));
        catalog.Find(PluginKind.Objective, "broken-constructor").Should().BeNull();
    }
}
