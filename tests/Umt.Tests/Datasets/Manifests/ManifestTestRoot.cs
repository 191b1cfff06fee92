using Umt.Plugins.Datasets.Manifests;

namespace Umt.Tests.Datasets.Manifests;

/// <summary>A media root that need not exist: parsers only resolve paths, they never touch the disk.</summary>
internal static class ManifestTestRoot
{
    public static readonly string Folder = Path.Combine(Path.GetTempPath(), "umt-manifest-root");

    public static readonly MediaRoot Root = new(Folder);

    public static string Under(string relative) => Path.Combine(Folder, relative);
}
