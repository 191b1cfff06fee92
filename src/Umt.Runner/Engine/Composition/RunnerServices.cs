using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serilog;
using Umt.Runner.Engine.Configuration;

namespace Umt.Runner.Engine.Composition;

/// <summary>
/// The composition root's service graph (Microsoft.Extensions.DependencyInjection): the layered
/// configuration, the console logger, the plugin catalog and the planner. Plugins never see this
/// container: they get a <c>PluginContext</c>, and the per-run objects they create are owned by the
/// training code, not by DI or MEF (their native memory must be freed deterministically).
/// </summary>
public static class RunnerServices
{
    public static ServiceProvider Build(CommonArguments arguments)
    {
        string baseDirectory = ConfigurationLayers.FindBaseDirectory(arguments.Root);
        var configuration = ConfigurationLayers.Build(baseDirectory, arguments.Configs, arguments.Sets, arguments.Beneath);
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton(new RunnerPaths(baseDirectory));
        services.AddSingleton<ILogger>(_ => Logging.SerilogSetup.Create(configuration));
        services.AddSingleton(provider => PluginCatalog.Load(PluginDirectories(configuration, baseDirectory)));
        services.AddSingleton<RunPlanner>();
        services.AddSingleton(provider => provider.GetRequiredService<RunPlanner>().Plan(configuration, baseDirectory));
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    /// <summary>Absolute plugin folders from <c>Umt:PluginDirectories</c> (relative to the repository root).</summary>
    public static IReadOnlyList<string> PluginDirectories(IConfiguration configuration, string baseDirectory) =>
        configuration.GetSection("Umt:PluginDirectories").GetChildren()
            .OrderBy(c => int.TryParse(c.Key, out int i) ? i : int.MaxValue)
            .Select(c => c.Value)
            .Where(v => !string.IsNullOrWhiteSpace(v))
            .Select(v => Path.GetFullPath(v!, baseDirectory))
            .ToList();
}

/// <summary>Where the configuration was found; relative paths resolve against it.</summary>
public sealed record RunnerPaths(string BaseDirectory);
