using System.Diagnostics;

namespace Umt.Tests.TestSupport;

/// <summary>
/// The plugin SDK as a stranger gets it: the packages <c>build/pack-sdk.sh</c> writes into
/// <c>artifacts/feed</c>, and plugin projects restored from that feed alone (never from project
/// references). Packed and built once per test run; the tests that load the sample plugin share it.
/// </summary>
public static class PluginSdk
{
    private static readonly Lazy<string> FeedFolder = new(Pack);

    private static readonly Lazy<string> SampleObjective = new(() => Build(Path.Combine(RepositoryPaths.Root, "tests", "ThirdPartyPlugin", "Umt.ThirdParty.SampleObjective.csproj")));

    /// <summary>The local feed, packed from what <c>dotnet build -c Release</c> built (<c>--no-build</c>).</summary>
    public static string Feed => FeedFolder.Value;

    /// <summary>tests/ThirdPartyPlugin's output folder, built from the feed.</summary>
    public static string SampleObjectiveOutput => SampleObjective.Value;

    /// <summary>
    /// The user's NuGet packages folder, a fallback for the packages the feed's depend on (TorchSharp,
    /// System.Composition, Serilog, xunit), so a restore from the feed alone needs no network.
    /// </summary>
    public static string UserPackages => Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
        ? configured
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    /// <summary>Builds a plugin project in Release against the feed and returns its output folder.</summary>
    /// <param name="restore">Restore arguments beyond the fallback folder (a project without a nuget.config names the feed here).</param>
    public static string Build(string project, params string[] restore)
    {
        _ = Feed;
        Run("dotnet", ["build", project, "-c", "Release", "--nologo", "-v", "quiet", $"-p:RestoreFallbackFolders={UserPackages}", .. restore]);
        return Path.Combine(Path.GetDirectoryName(project)!, "bin", "Release", "net10.0");
    }

    /// <summary>Runs a command to completion; a non-zero exit fails the calling test with its output.</summary>
    public static string Run(string program, IEnumerable<string> arguments, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory ?? RepositoryPaths.Root };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
        }
        string output = stdout + stderr.GetAwaiter().GetResult();
        return process.HasExited && process.ExitCode == 0
            ? output
            : throw new InvalidOperationException($"{program} {string.Join(' ', start.ArgumentList)} failed (exit {(process.HasExited ? process.ExitCode : "timeout")}):\n{output}");
    }

    private static string Pack()
    {
        Run("bash", [Path.Combine(RepositoryPaths.Root, "build", "pack-sdk.sh"), "--no-build"]);
        return Path.Combine(RepositoryPaths.Root, "artifacts", "feed");
    }
}
