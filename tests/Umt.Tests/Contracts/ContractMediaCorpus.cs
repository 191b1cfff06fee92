using Umt.Plugins.Datasets.Synthetic;

namespace Umt.Tests.Contracts;

/// <summary>
/// Real files for the dataset contract test: <c>umt data synth</c>'s export (4 clips of 8 frames,
/// 2 images, 32²) and its manifests, plus an SSv2-style <c>path label</c> list. Deleted when the
/// test process exits.
/// </summary>
internal sealed class ContractMediaCorpus
{
    public ContractMediaCorpus()
    {
        Root = Path.Combine(Path.GetTempPath(), "umt-contract-media-" + Guid.NewGuid().ToString("N")[..12]);
        SyntheticMediaExport.Write(new SyntheticExportOptions(Root, Clips: 4, Images: 2, Size: 32, Frames: 8));
        File.WriteAllLines(Path.Combine(Root, "ssv2_train.txt"), ["videos/clip_000000.mp4 5", "videos/clip_000003.mp4 173"]);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(Root, recursive: true);
    }

    public string Root { get; }

    /// <summary>The manifest of a real-data plugin's format.</summary>
    public string Manifest(string dataset) => Path.Combine(Root, dataset switch
    {
        "kinetics" => SyntheticMediaExport.KineticsList,
        "webvid" => SyntheticMediaExport.WebVidJson,
        "cc3m" => SyntheticMediaExport.Cc3mTsv,
        "ssv2" => "ssv2_train.txt",
        "ava" => Path.Combine(SyntheticMediaExport.AvaFolder, SyntheticMediaExport.AvaTrain),
        _ => throw new ArgumentException($"No contract manifest for dataset '{dataset}'; add one here."),
    });
}
