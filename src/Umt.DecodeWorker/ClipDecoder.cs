using static Umt.DecodeWorker.LibAv;

namespace Umt.DecodeWorker;

/// <summary>What one decode produced: how it ended, why, and the frames decoded (in request order).</summary>
internal readonly record struct DecodeResult(DecodeStatus Status, string Message, int Decoded);

/// <summary>
/// Decodes the requested frames of one clip in-process, to the same pixels as the CLI path's
/// <c>select,crop,scale,format=rgb24</c> graph (FfmpegVideoReader), doing only the work those
/// frames need: it decodes no further than the last requested frame, starts at the last keyframe
/// at or before the first one, and lets the decoder drop non-reference frames that are not
/// requested (<c>skip_frame=nonref</c>, switched per packet, so a requested frame is never a
/// skipped one). Frame n is the n-th frame the decoder outputs, as the CLI's select counts; where
/// packet timestamps cannot stand in for that count (missing or repeated pts, a stream that does
/// not open on its earliest keyframe) every frame is decoded and counted instead. One decoder
/// thread, like the CLI path's <c>-threads 1</c>: parallelism comes from one worker per data worker.
/// </summary>
internal sealed unsafe class ClipDecoder : IDisposable
{
    /// <summary>Packets read past the last requested frame, so every earlier-shown frame stored later in decode order (B-frames) is ranked.</summary>
    private const int ReorderMargin = 32;

    private nint scaler;
    private byte[] output = [];

    /// <summary>The frames of the last <see cref="Decode"/>, <c>[T_unique, size, size, 3]</c>.</summary>
    public ReadOnlySpan<byte> Output(int decoded, int size) => output.AsSpan(0, decoded * size * size * 3);

    public DecodeResult Decode(DecodeRequest request)
    {
        int frameBytes = request.Size * request.Size * 3;
        if (output.Length < request.Frames.Length * frameBytes)
        {
            output = new byte[request.Frames.Length * frameBytes];
        }
        nint format = 0;
        int code = avformat_open_input(&format, request.Path, 0, null);
        if (code < 0)
        {
            return new DecodeResult(DecodeStatus.Failed, $"not a readable media file: {Error(code)}", 0);
        }
        var packets = new List<nint>();
        nint context = 0;
        try
        {
            if ((code = avformat_find_stream_info(format, null)) < 0)
            {
                return new DecodeResult(DecodeStatus.Failed, $"no stream information: {Error(code)}", 0);
            }
            int index = FirstVideoStream(format, out nint stream);
            if (index < 0)
            {
                return new DecodeResult(DecodeStatus.Failed, "no video stream", 0);
            }
            nuint matrixSize;
            if (av_stream_get_side_data(stream, DataDisplayMatrix, &matrixSize) is var matrix and not 0 && Math.Abs(av_display_rotation_get(matrix)) > 0.5)
            {
                // The CLI auto-rotates (transpose filters before the crop); that stays the CLI's job.
                return new DecodeResult(DecodeStatus.UseCli, "rotated video", 0);
            }
            nint parameters = Read<nint>(stream, StreamCodecpar);
            nint codec = avcodec_find_decoder(Read<int>(parameters, ParCodecId));
            if (codec == 0)
            {
                return new DecodeResult(DecodeStatus.Failed, "no decoder for the video codec", 0);
            }
            context = avcodec_alloc_context3(codec);
            if ((code = avcodec_parameters_to_context(context, parameters)) < 0 || (code = av_opt_set_int(context, "threads", 1, 0)) < 0
                || (code = avcodec_open2(context, codec, null)) < 0)
            {
                return new DecodeResult(DecodeStatus.Failed, $"decoder did not open: {Error(code)}", 0);
            }
            ReadPackets(format, index, request.Frames[^1] + 1 + ReorderMargin, packets);
            var ranks = Ranks(packets);
            var result = ranks is null ? default : Run(context, request, packets, ranks);
            if (result.Status == DecodeStatus.Done)
            {
                return result;
            }
            // Timestamps did not map onto output order after all (or no fast path): decode and count every frame, as the CLI does.
            avcodec_free_context(&context);
            context = avcodec_alloc_context3(codec);
            avcodec_parameters_to_context(context, parameters);
            av_opt_set_int(context, "threads", 1, 0);
            if ((code = avcodec_open2(context, codec, null)) < 0)
            {
                return new DecodeResult(DecodeStatus.Failed, $"decoder did not open: {Error(code)}", 0);
            }
            return Run(context, request, packets, ranks: null);
        }
        finally
        {
            foreach (nint packet in packets)
            {
                nint owned = packet;
                av_packet_free(&owned);
            }
            avcodec_free_context(&context);
            avformat_close_input(&format);
        }
    }

    public void Dispose()
    {
        sws_freeContext(scaler);
        scaler = 0;
    }

    private static int FirstVideoStream(nint format, out nint stream)
    {
        uint count = Read<uint>(format, FormatNbStreams);
        var streams = (nint*)Read<nint>(format, FormatStreams);
        for (int i = 0; i < count; i++)
        {
            if (Read<int>(Read<nint>(streams[i], StreamCodecpar), ParCodecType) == MediaTypeVideo)
            {
                stream = streams[i];
                return i;
            }
        }
        stream = 0;
        return -1;
    }

    /// <summary>The video stream's packets in decode order, up to <paramref name="limit"/> of them (a read error ends the stream, as in the CLI).</summary>
    private static void ReadPackets(nint format, int index, int limit, List<nint> packets)
    {
        while (packets.Count < limit)
        {
            nint packet = av_packet_alloc();
            if (av_read_frame(format, packet) < 0)
            {
                av_packet_free(&packet);
                return;
            }
            if (Read<int>(packet, PacketStreamIndex) == index)
            {
                packets.Add(packet);
            }
            else
            {
                av_packet_free(&packet);
            }
        }
    }

    /// <summary>
    /// Each packet's place in presentation order, which is the decoder's output order; null where
    /// that does not hold for sure: a pts missing or repeated, or a first packet that is not the
    /// earliest-shown keyframe (leading frames the decoder may drop).
    /// </summary>
    private static long[]? Ranks(List<nint> packets)
    {
        if (packets.Count == 0 || (Read<int>(packets[0], PacketFlags) & PacketFlagKey) == 0)
        {
            return null;
        }
        var pts = new long[packets.Count];
        for (int i = 0; i < pts.Length; i++)
        {
            pts[i] = Read<long>(packets[i], PacketPts);
            if (pts[i] == NoPts)
            {
                return null;
            }
        }
        var sorted = pts.Order().ToArray();
        for (int i = 1; i < sorted.Length; i++)
        {
            if (sorted[i] == sorted[i - 1])
            {
                return null;
            }
        }
        return sorted[0] == pts[0] ? sorted : null;
    }

    /// <param name="ranks">Sorted pts (fast path: frame n has the n-th pts), or null to count output frames.</param>
    private DecodeResult Run(nint context, DecodeRequest request, List<nint> packets, long[]? ranks)
    {
        int[] wanted = request.Frames;
        int first = ranks is null ? 0 : StartPacket(packets, ranks, wanted[0]);
        nint frame = av_frame_alloc();
        try
        {
            int decoded = 0, counted = 0, discard = DiscardDefault;
            string lastError = "";
            for (int p = first; p <= packets.Count && decoded < wanted.Length; p++)
            {
                nint packet = p < packets.Count ? packets[p] : 0; // 0: flush the frames still held for reordering
                if (ranks is not null && packet != 0)
                {
                    int want = Array.BinarySearch(wanted, Array.BinarySearch(ranks, Read<long>(packet, PacketPts))) >= 0 ? DiscardDefault : DiscardNonRef;
                    if (want != discard)
                    {
                        av_opt_set_int(context, "skip_frame", discard = want, 0);
                    }
                }
                int code = avcodec_send_packet(context, packet);
                if (code < 0 && code != ErrorEof)
                {
                    lastError = Error(code); // a corrupt packet: the CLI goes on to the next one too
                }
                while (decoded < wanted.Length && avcodec_receive_frame(context, frame) == 0)
                {
                    int n = ranks is null ? counted++ : Array.BinarySearch(ranks, Read<long>(frame, FramePts));
                    int slot = n >= 0 ? Array.BinarySearch(wanted, n) : -1;
                    if (slot >= 0)
                    {
                        string? failure = Convert(frame, request, slot);
                        if (failure is not null)
                        {
                            return new DecodeResult(DecodeStatus.Failed, failure, decoded);
                        }
                        decoded++;
                    }
                    av_frame_unref(frame);
                    if (ranks is null && counted > wanted[^1])
                    {
                        break;
                    }
                }
                if (ranks is null && counted > wanted[^1])
                {
                    break;
                }
            }
            return decoded == wanted.Length ? new DecodeResult(DecodeStatus.Done, "", decoded)
                : new DecodeResult(DecodeStatus.Failed, lastError.Length > 0 ? lastError : "the stream ended early", decoded);
        }
        finally
        {
            av_frame_free(&frame);
        }
    }

    /// <summary>The last keyframe packet (decode order) shown no later than frame <paramref name="firstWanted"/>: decoding from there gives the same frames.</summary>
    private static int StartPacket(List<nint> packets, long[] ranks, int firstWanted)
    {
        int start = 0;
        for (int p = 0; p < packets.Count; p++)
        {
            if ((Read<int>(packets[p], PacketFlags) & PacketFlagKey) != 0 && Array.BinarySearch(ranks, Read<long>(packets[p], PacketPts)) <= firstWanted)
            {
                start = p;
            }
        }
        return start;
    }

    /// <summary>
    /// Crops the frame in place as <c>crop=exact=1</c> does (vf_crop.c: plane pointers moved, chroma
    /// by the subsampled offset), then scales and converts with the colour details vf_scale.c sets
    /// from the frame (matrix and range), straight into the output slot.
    /// </summary>
    /// <returns>Null, or why the frame could not be used.</returns>
    private string? Convert(nint frame, DecodeRequest request, int slot)
    {
        int width = Read<int>(frame, FrameWidth), height = Read<int>(frame, FrameHeight), pixelFormat = Read<int>(frame, FrameFormat);
        if (request.CropX + request.CropWidth > width || request.CropY + request.CropHeight > height)
        {
            return $"frame {width}×{height} is smaller than the crop";
        }
        nint descriptor = av_pix_fmt_desc_get(pixelFormat);
        if (descriptor == 0)
        {
            return $"unknown pixel format {pixelFormat}";
        }
        int chromaW = Read<byte>(descriptor, DescChromaW), chromaH = Read<byte>(descriptor, DescChromaH);
        var steps = stackalloc int[4];
        av_image_fill_max_pixsteps(steps, null, descriptor);
        var source = stackalloc byte*[4];
        var strides = stackalloc int[4];
        for (int i = 0; i < 4; i++)
        {
            source[i] = (byte*)Read<nint>(frame, FrameData + (8 * i));
            strides[i] = Read<int>(frame, FrameLinesize + (4 * i));
        }
        int x = request.CropX, y = request.CropY;
        source[0] += (y * strides[0]) + (x * steps[0]);
        if ((Read<ulong>(descriptor, DescFlags) & PixFmtFlagPal) == 0)
        {
            for (int i = 1; i < 3; i++)
            {
                if (source[i] != null)
                {
                    source[i] += ((y >> chromaH) * strides[i]) + ((x * steps[i]) >> chromaW);
                }
            }
        }
        if (source[3] != null)
        {
            source[3] += (y * strides[3]) + (x * steps[3]);
        }
        scaler = sws_getCachedContext(scaler, request.CropWidth, request.CropHeight, pixelFormat, request.Size, request.Size, PixFmtRgb24,
            request.Bicubic ? SwsBicubic : SwsBilinear, 0, 0, null);
        if (scaler == 0)
        {
            return $"swscale refused pixel format {pixelFormat}";
        }
        SetColourDetails(frame);
        fixed (byte* target = &output[slot * request.Size * request.Size * 3])
        {
            var destination = stackalloc byte*[4] { target, null, null, null };
            var destinationStrides = stackalloc int[4] { request.Size * 3, 0, 0, 0 };
            sws_scale(scaler, source, strides, 0, request.CropHeight, destination, destinationStrides);
        }
        return null;
    }

    /// <summary>vf_scale.c (in_color_matrix=auto): the frame's YCbCr matrix, and its range where the frame states one.</summary>
    private void SetColourDetails(nint frame)
    {
        int* inverse, table;
        int sourceFull, destinationFull, brightness, contrast, saturation;
        sws_getColorspaceDetails(scaler, &inverse, &sourceFull, &table, &destinationFull, &brightness, &contrast, &saturation);
        int range = Read<int>(frame, FrameColorRange);
        if (range != 0)
        {
            sourceFull = range == RangeJpeg ? 1 : 0;
        }
        sws_setColorspaceDetails(scaler, (int*)sws_getCoefficients(Read<int>(frame, FrameColorspace)), sourceFull, table, destinationFull, brightness, contrast, saturation);
    }
}
