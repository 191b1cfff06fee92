using Umt.Tests.TestSupport;

namespace Umt.Tests.Infrastructure;

/// <summary>
/// What <c>./umt</c> (through build/env.sh) does about a missing Debian package: says what it
/// installs before it installs it, and with <c>UMT_NO_INSTALL=1</c> installs nothing and stops
/// with one line naming the package. The machine's own apt-get is never run: a PATH of stand-ins
/// hides ffmpeg and records what would have been called.
/// </summary>
public sealed class LauncherInstallTests
{
    [Fact]
    public void Umt_with_UMT_NO_INSTALL_stops_with_one_line_naming_the_missing_package()
    {
        using var dir = new TemporaryDirectory();
        // Only what ./umt needs before its checks: bash (its #! goes through env), dirname and dotnet (present); no ffmpeg.
        string bin = StandIns(dir, ("dotnet", "exit 0"), ("apt-get", $"echo \"apt-get $*\" >> '{dir.Combine("calls")}'"));
        File.CreateSymbolicLink(Path.Combine(bin, "bash"), "/bin/bash");
        File.CreateSymbolicLink(Path.Combine(bin, "dirname"), "/usr/bin/dirname");

        var result = BashScript.Run("./umt doctor", new Dictionary<string, string?> { ["PATH"] = bin, ["UMT_NO_INSTALL"] = "1" });

        result.ExitCode.Should().Be(1);
        result.Output.Should().BeEmpty();
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().ContainSingle().Which.Should().Contain("missing Debian's ffmpeg").And.Contain("UMT_NO_INSTALL=1");
        File.Exists(dir.Combine("calls")).Should().BeFalse("nothing is installed under UMT_NO_INSTALL=1");
    }

    [Fact]
    public void Install_is_announced_before_apt_get_runs()
    {
        using var dir = new TemporaryDirectory();
        string calls = dir.Combine("calls");
        // As root (id -u prints 0) with apt-get: the helper installs; its messages and apt-get's calls go to one log, in order.
        string bin = StandIns(dir, ("id", "echo 0"), ("apt-get", $"echo \"apt-get $*\" >> '{calls}'"));

        var result = BashScript.Run("source build/env.sh; umt_ensure_ffmpeg 2>> \"$CALLS\"",
            new Dictionary<string, string?> { ["PATH"] = bin, ["CALLS"] = calls, ["UMT_NO_INSTALL"] = null });

        result.ExitCode.Should().Be(0, result.Error);
        var log = File.ReadAllLines(calls);
        log.Should().HaveCount(3, string.Join('\n', log));
        log[0].Should().Contain("installing Debian's ffmpeg with apt-get").And.Contain("video datasets");
        log[1].Should().StartWith("apt-get update");
        log[2].Should().StartWith("apt-get install").And.EndWith(" ffmpeg");
    }

    /// <summary>A folder of executable stand-ins (name, sh body) to be the whole PATH.</summary>
    private static string StandIns(TemporaryDirectory dir, params (string Name, string Body)[] programs)
    {
        string bin = Directory.CreateDirectory(dir.Combine("bin")).FullName;
        foreach (var (name, body) in programs)
        {
            BashScript.WriteExecutable(Path.Combine(bin, name), body);
        }
        return bin;
    }
}
