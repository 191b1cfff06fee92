using Umt.Abstractions.Datasets;

namespace Umt.Plugins.Datasets.Media;

/// <summary>
/// The frames a clip's sampling asks for, decoded once each: both video readers decode the
/// distinct indices in order and hand back the clip in the sampling's order (repeats allowed).
/// </summary>
internal static class SampledFrames
{
    /// <summary>The distinct indices, ascending: what a decoder is asked for.</summary>
    public static int[] Unique(IReadOnlyList<int> frames) => frames.Distinct().Order().ToArray();

    /// <summary>
    /// The clip <c>[T, size, size, 3]</c> in <paramref name="frames"/>' order from the decoded
    /// distinct frames; throws when fewer than all of them were decoded.
    /// </summary>
    /// <param name="why">The decoder's reason, used when frames are missing.</param>
    public static byte[] Clip(string path, MediaInfo info, IReadOnlyList<int> frames, int[] unique, byte[] decoded, int frameBytes, string why)
    {
        int count = decoded.Length / frameBytes;
        if (count < unique.Length)
        {
            // Fewer frames than the container promised means a truncated or corrupt stream; a clip
            // padded with repeats of its last good frame would teach motion that is not there.
            throw new UnreadableMediaException(path, count == 0 ? "decode failed" : "too few frames decoded",
                $"{count} of {unique.Length} sampled frames (of {info.FrameCount}); {why}");
        }
        var clip = new byte[frames.Count * frameBytes];
        for (int t = 0; t < frames.Count; t++)
        {
            int source = Array.BinarySearch(unique, frames[t]);
            Buffer.BlockCopy(decoded, source * frameBytes, clip, t * frameBytes, frameBytes);
        }
        return clip;
    }
}
