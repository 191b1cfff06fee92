namespace Umt.Plugins.Datasets.Ava;

/// <summary>
/// Which frames make the clip of an AVA key frame: <c>frames</c> picks <c>rate</c> apart with the
/// key frame at position T/2, as the reference's <c>_decode_video_data</c> puts T/2 frames of
/// span before the key second and the rest from it on; picks before the first or past the last
/// frame repeat the edge frame (AlphAction pads a clip at the video's ends the same way).
/// </summary>
/// <param name="Frames">T, the student's frames.</param>
/// <param name="Rate">Frames between consecutive picks.</param>
/// <param name="FrameRate">Frames per second of the video file.</param>
/// <param name="TimeOffset">The movie second at which the file starts.</param>
internal sealed record KeyFrameClip(int Frames, int Rate, double FrameRate, int TimeOffset)
{
    /// <summary>The key frame's index in the file: the first frame shown at its second.</summary>
    public int KeyFrame(int timestamp) => (int)Math.Round((timestamp - TimeOffset) * FrameRate);

    /// <summary>The clip's frame indices, clamped into [0, <paramref name="frameCount"/>).</summary>
    public int[] Indices(int timestamp, int frameCount)
    {
        int key = KeyFrame(timestamp);
        return [.. Enumerable.Range(0, Frames).Select(i => Math.Clamp(key + (i - Frames / 2) * Rate, 0, frameCount - 1))];
    }
}
