using System.Globalization;

namespace Umt.Plugins.Datasets.Ava;

/// <summary>
/// One AVA key frame: a video and a whole second of it (AVA v2.2 annotates 1 Hz key frames,
/// seconds 902–1798 of each 15-minute clip). Equality is the official evaluation's image key
/// (<c>"%s,%04d" % (video_id, int(timestamp))</c>): a video id and an integer second.
/// </summary>
public readonly record struct AvaKeyFrame(string VideoId, int Timestamp)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{VideoId},{Timestamp:D4}");
}
