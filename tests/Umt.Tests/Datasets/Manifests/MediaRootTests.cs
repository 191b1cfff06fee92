using Umt.Plugins.Datasets.Manifests;

namespace Umt.Tests.Datasets.Manifests;

/// <summary>Paths resolve under the root and never out of it.</summary>
public sealed class MediaRootTests
{
    [Theory]
    [InlineData("a.mp4", "a.mp4")]
    [InlineData("class/a b.mp4", "class/a b.mp4")]
    [InlineData("./x/../y.mp4", "y.mp4")]
    [InlineData("x/./y/../z.mp4", "x/z.mp4")]
    public void Relative_paths_resolve_under_the_root(string relative, string expected)
    {
        ManifestTestRoot.Root.TryResolve(relative, out string full, out string? reason).Should().BeTrue(reason);

        full.Should().Be(ManifestTestRoot.Under(expected));
    }

    [Theory]
    [InlineData("../x.mp4")]
    [InlineData("a/../../x.mp4")]
    [InlineData("/etc/passwd")]
    [InlineData("../umt-manifest-root-private/x.mp4")]
    [InlineData("..")]
    [InlineData("../")]
    public void Paths_out_of_the_root_are_refused(string relative)
    {
        ManifestTestRoot.Root.TryResolve(relative, out string full, out string? reason).Should().BeFalse();

        reason.Should().Be("path escapes the media root");
        full.Should().BeEmpty();
    }

    [Fact]
    public void Absolute_paths_inside_the_root_are_accepted()
    {
        string inside = ManifestTestRoot.Under("k400/a.mp4");

        ManifestTestRoot.Root.TryResolve(inside, out string full, out _).Should().BeTrue();

        full.Should().Be(inside);
    }

    [Theory]
    [InlineData("", "empty path")]
    [InlineData("   ", "empty path")]
    [InlineData(".", "path names the media root itself")]
    [InlineData("a/..", "path names the media root itself")]
    [InlineData("./", "path names the media root itself")]
    public void Empty_paths_and_the_root_itself_are_refused(string relative, string expected)
    {
        ManifestTestRoot.Root.TryResolve(relative, out _, out string? reason).Should().BeFalse();

        reason.Should().Be(expected);
    }

    [Fact]
    public void Trailing_separator_and_relative_root_mean_the_same_folder()
    {
        var withSlash = new MediaRoot(ManifestTestRoot.Folder + "/");

        withSlash.FullPath.Should().Be(ManifestTestRoot.Folder);
        new MediaRoot("data").FullPath.Should().Be(Path.Combine(Directory.GetCurrentDirectory(), "data"));
        withSlash.TryResolve("../x.mp4", out _, out _).Should().BeFalse();
    }

    [Fact]
    public void File_system_root_accepts_any_absolute_file()
    {
        var root = new MediaRoot("/");

        root.TryResolve("/data/x.mp4", out string full, out _).Should().BeTrue();
        full.Should().Be("/data/x.mp4");
        root.TryResolve("/", out _, out _).Should().BeFalse();
    }
}
