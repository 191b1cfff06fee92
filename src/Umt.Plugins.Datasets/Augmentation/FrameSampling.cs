using Umt.Plugins.Datasets.Randomness;

namespace Umt.Plugins.Datasets.Augmentation;

/// <summary>
/// Which frames of a decoded video make up a clip, by the reference's own rules (see
/// <see cref="FrameSamplingMode"/>). The arithmetic is reproduced exactly, quirks included (the
/// tail that <see cref="FrameSamplingMode.Tsn"/> never reaches, the last frame of each segment
/// that <see cref="FrameSamplingMode.Rand"/> never picks, the last frame of the video that
/// <see cref="FrameSamplingMode.Dense"/> never steps onto), so a clip covers the same span of the
/// video as the reference's would; only the random stream differs (SplitMix64 from the sample's
/// key instead of Python's and numpy's global generators, so a sample's draws depend only on its
/// key, not on which worker ran what before it).
/// </summary>
internal static class FrameSampling
{
    /// <summary>
    /// Exactly <paramref name="frames"/> 0-based indices in [0, <paramref name="frameCount"/>),
    /// in temporal order (non-decreasing).
    /// </summary>
    /// <param name="mode">The reference sampler to mirror.</param>
    /// <param name="frameCount">Frames in the video, at least 1.</param>
    /// <param name="frames">Frames in the clip, at least 1.</param>
    /// <param name="rng">The sample's stream; <see cref="FrameSamplingMode.Middle"/> draws nothing.</param>
    /// <param name="step"><see cref="FrameSamplingMode.Dense"/>: frames between consecutive picks; the other modes have no step.</param>
    public static int[] Indices(FrameSamplingMode mode, int frameCount, int frames, ref SplitMix64 rng, int step = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(frameCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(frames, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(step, 1);
        return mode switch
        {
            FrameSamplingMode.Tsn => Tsn(frameCount, frames, ref rng),
            FrameSamplingMode.Dense => Dense(frameCount, frames, step, ref rng),
            FrameSamplingMode.Rand => Uniform(frameCount, frames, random: true, ref rng),
            FrameSamplingMode.Middle => Uniform(frameCount, frames, random: false, ref rng),
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown frame sampling mode."),
        };
    }

    // VideoMAE._sample_train_indices with num_segments = frames: the constructor then sets
    // new_length = num_segments and skip_length = 1, so average_duration = (n - 1 + 1) // frames.
    // The reference returns offsets + 1, and its loader reads frame (offset + 1) + skip_offset - 1
    // with skip_offset 0 (temporal_jitter off, one step per segment): the +1 and -1 cancel, the
    // offsets are the 0-based frame indices.
    private static int[] Tsn(int frameCount, int frames, ref SplitMix64 rng)
    {
        var indices = new int[frames];
        int average = frameCount / frames;
        if (average > 0)
        {
            // Segment i is [i·average, (i+1)·average); frames past frames·average are never read.
            for (int i = 0; i < frames; i++)
            {
                indices[i] = i * average + rng.NextInt(average);
            }
        }
        else if (frameCount > frames)
        {
            // The reference's second branch, unreachable with skip_length 1 (average == 0 means
            // frameCount < frames) but kept so this reads as the reference does: sorted draws with
            // replacement.
            for (int i = 0; i < frames; i++)
            {
                indices[i] = rng.NextInt(frameCount);
            }
            Array.Sort(indices);
        }
        // else: a video shorter than the clip is frame 0 repeated, as in the reference (np.zeros).
        return indices;
    }

    // MCG-NJU/VideoMAE kinetics.py, class VideoMAE, as datasets.py build_pretraining_dataset builds it:
    // num_segments 1, new_length = frames, new_step = step, so skip_length = frames·step (the window).
    // _sample_train_indices returns the 1-based start o = randint(n − window + 1) + 1 when the video
    // holds a whole window and o = 1 otherwise (its middle branch needs n > window, which the first
    // already takes). _video_TSN_decord_batch_loader reads frame o − 1, then advances o by step only
    // while o + step < n: in 0-based terms a step is taken only onto a frame below n − 1, so a video
    // shorter than the window repeats the last frame reached, and so does a window of step 1 drawn at
    // the very end. temporal_jitter is off, so skip_offsets are 0 and never shift a read.
    private static int[] Dense(int frameCount, int frames, int step, ref SplitMix64 rng)
    {
        int starts = frameCount - frames * step + 1;
        int frame = starts > 0 ? rng.NextInt(starts) : 0;
        var indices = new int[frames];
        for (int i = 0; i < frames; i++)
        {
            indices[i] = frame;
            if (frame + 1 + step < frameCount)
            {
                frame += step;
            }
        }
        return indices;
    }

    // get_frame_indices(num_frames = frames, vlen = frameCount, sample = 'rand' | 'middle').
    private static int[] Uniform(int frameCount, int frames, bool random, ref SplitMix64 rng)
    {
        // At most one segment per frame of the video, so every segment is at least one frame wide.
        int segments = Math.Min(frames, frameCount);
        int[] bounds = LinspaceTruncated(frameCount, segments);
        var indices = new int[frames];
        if (random)
        {
            // The reference draws random.choice(range(x0, x1)) with x1 = bounds[i+1] - 1: the last
            // frame of a segment is never picked, and a one-frame segment is an empty range, which
            // raises; its except branch then draws a sorted random subset instead.
            bool anyEmpty = false;
            for (int i = 0; i < segments; i++)
            {
                anyEmpty |= bounds[i + 1] - 1 <= bounds[i];
            }
            if (anyEmpty)
            {
                SortedSubset(frameCount, indices.AsSpan(0, segments), ref rng);
            }
            else
            {
                for (int i = 0; i < segments; i++)
                {
                    indices[i] = bounds[i] + rng.NextInt(bounds[i + 1] - 1 - bounds[i]);
                }
            }
        }
        else
        {
            // (x0 + x1) // 2 with x1 = bounds[i+1] - 1: both non-negative, so C#'s truncating
            // division is Python's floor division.
            for (int i = 0; i < segments; i++)
            {
                indices[i] = (bounds[i] + bounds[i + 1] - 1) / 2;
            }
        }
        // Fewer segments than frames (a video shorter than the clip): pad with the last index.
        for (int i = segments; i < frames; i++)
        {
            indices[i] = indices[segments - 1];
        }
        return indices;
    }

    /// <summary>
    /// Temporal test view <paramref name="clip"/> of <paramref name="clips"/>: the reference's
    /// fine-tuning test sampler (single_modality/datasets/kinetics_sparse.py
    /// <c>_get_seq_frames(video_size, num_frames, clip_idx)</c> in test mode): segments of
    /// <c>(n − 1) / frames</c> frames, each read at <c>round(seg·i) + int(seg / (clips + 1) · (clip + 1))</c>,
    /// so the views sit at evenly spaced offsets inside every segment. np.round rounds half to even, as Math.Round.
    /// </summary>
    public static int[] TestView(int frameCount, int frames, int clip, int clips)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(frameCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(frames, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(clip);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(clip, clips);
        double segment = Math.Max(0.0, (frameCount - 1.0) / frames);
        double duration = segment / (clips + 1);
        var indices = new int[frames];
        for (int i = 0; i < frames; i++)
        {
            int start = (int)Math.Round(segment * i, MidpointRounding.ToEven);
            indices[i] = Math.Min(start + (int)(duration * (clip + 1)), frameCount - 1);
        }
        return indices;
    }

    /// <summary>
    /// <c>np.linspace(0, stop, count + 1).astype(int)</c>, bit for bit: numpy computes point i as
    /// <c>i · step</c> with <c>step = stop / count</c> in float64 (not <c>i · stop / count</c>, which
    /// can round to the other side of an integer), sets the last point to exactly <c>stop</c>, and
    /// astype(int) truncates toward zero.
    /// </summary>
    private static int[] LinspaceTruncated(int stop, int count)
    {
        var points = new int[count + 1];
        double step = (double)stop / count;
        for (int i = 0; i < count; i++)
        {
            points[i] = (int)(i * step);
        }
        points[count] = stop;
        return points;
    }

    // np.random.permutation(n)[:k], sorted: a uniform random k-subset of [0, n) in increasing
    // order. A partial Fisher–Yates shuffle draws the same distribution. Only reached when some
    // linspace segment is one frame wide, i.e. n < 2k, so the scratch array is small.
    private static void SortedSubset(int n, Span<int> destination, ref SplitMix64 rng)
    {
        var pool = new int[n];
        for (int i = 0; i < n; i++)
        {
            pool[i] = i;
        }
        for (int i = 0; i < destination.Length; i++)
        {
            int pick = i + rng.NextInt(n - i);
            (pool[i], pool[pick]) = (pool[pick], pool[i]);
        }
        pool.AsSpan(0, destination.Length).CopyTo(destination);
        destination.Sort();
    }
}
