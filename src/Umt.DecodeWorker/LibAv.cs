using System.Reflection;
using System.Runtime.InteropServices;

namespace Umt.DecodeWorker;

/// <summary>
/// The few entry points of Debian 12's FFmpeg 5.1 the worker calls, with the sonames pinned to the
/// major versions whose struct layouts the offsets below were read from (libavcodec 59,
/// libavformat 59, libavutil 57, libswscale 6, offsets from the bookworm -dev headers). Any other
/// major (another distribution release) is refused at start-up, and the reader then decodes with
/// the ffmpeg CLI instead: a wrong offset would read garbage, not fail.
/// </summary>
internal static unsafe partial class LibAv
{
    public const string Codec = "libavcodec.so.59";
    public const string Format = "libavformat.so.59";
    public const string Util = "libavutil.so.57";
    public const string Scale = "libswscale.so.6";

    // AVFormatContext (avformat.h): nb_streams, streams.
    public const int FormatNbStreams = 44, FormatStreams = 48;

    // AVStream: time_base, codecpar (after 5.1's deprecated fields).
    public const int StreamTimeBase = 16, StreamCodecpar = 208;

    // AVCodecParameters: codec_type, codec_id.
    public const int ParCodecType = 0, ParCodecId = 4;

    // AVPacket: pts, stream_index, flags.
    public const int PacketPts = 8, PacketStreamIndex = 36, PacketFlags = 40;

    // AVFrame: data[8], linesize[8], width, height, format, pts, best_effort_timestamp.
    public const int FrameData = 0, FrameLinesize = 64, FrameWidth = 104, FrameHeight = 108, FrameFormat = 116, FramePts = 136, FrameColorRange = 320, FrameColorspace = 332;

    // AVPixFmtDescriptor: log2_chroma_w, log2_chroma_h, flags.
    public const int DescChromaW = 9, DescChromaH = 10, DescFlags = 16;

    public const int MediaTypeVideo = 0;
    public const int PacketFlagKey = 1;
    public const int PixFmtRgb24 = 2;
    public const ulong PixFmtFlagPal = 1 << 1;
    public const int DataDisplayMatrix = 5;
    public const long NoPts = long.MinValue;
    public const int ErrorAgain = -11;
    public const int ErrorEof = -541478725;
    public const int SwsBilinear = 2, SwsBicubic = 4;
    public const int DiscardDefault = 0, DiscardNonRef = 8;
    public const int LogError = 16;
    public const int RangeJpeg = 2;

    private static readonly string[] Pinned = [Codec, Format, Util, Scale];

    /// <summary>Loads the pinned libraries, or says which is missing; call once before any other member.</summary>
    public static string? Load()
    {
        var handles = new Dictionary<string, nint>(StringComparer.Ordinal);
        foreach (string soname in Pinned)
        {
            if (!NativeLibrary.TryLoad(soname, out nint handle))
            {
                return $"{soname} was not found (Debian 12's FFmpeg 5.1 runtime libraries; apt-get install ffmpeg)";
            }
            handles[soname] = handle;
        }
        NativeLibrary.SetDllImportResolver(Assembly.GetExecutingAssembly(), (name, _, _) => handles.GetValueOrDefault(name));
        // The major in the version number, not only the file name: a renamed or symlinked library of another release must not pass.
        if (avcodec_version() >> 16 != 59 || avformat_version() >> 16 != 59 || avutil_version() >> 16 != 57 || swscale_version() >> 16 != 6)
        {
            return $"FFmpeg library majors {avcodec_version() >> 16}/{avformat_version() >> 16}/{avutil_version() >> 16}/{swscale_version() >> 16} (codec/format/util/scale) are not 59/59/57/6";
        }
        av_log_set_level(LogError);
        return null;
    }

    public static T Read<T>(nint pointer, int offset) where T : unmanaged => *(T*)(pointer + offset);

    public static string Error(int code)
    {
        var buffer = stackalloc byte[256];
        av_strerror(code, buffer, 256);
        return Marshal.PtrToStringUTF8((nint)buffer) ?? $"error {code}";
    }

    [LibraryImport(Codec)] public static partial uint avcodec_version();
    [LibraryImport(Format)] public static partial uint avformat_version();
    [LibraryImport(Util)] public static partial uint avutil_version();
    [LibraryImport(Scale)] public static partial uint swscale_version();
    [LibraryImport(Util)] public static partial void av_log_set_level(int level);
    [LibraryImport(Util)] public static partial int av_strerror(int code, byte* buffer, nuint size);

    [LibraryImport(Format, StringMarshalling = StringMarshalling.Utf8)] public static partial int avformat_open_input(nint* context, string url, nint format, nint* options);
    [LibraryImport(Format)] public static partial int avformat_find_stream_info(nint context, nint* options);
    [LibraryImport(Format)] public static partial void avformat_close_input(nint* context);
    [LibraryImport(Format)] public static partial int av_read_frame(nint context, nint packet);
    [LibraryImport(Format)] public static partial nint av_stream_get_side_data(nint stream, int type, nuint* size);

    [LibraryImport(Codec)] public static partial nint avcodec_find_decoder(int id);
    [LibraryImport(Codec)] public static partial nint avcodec_alloc_context3(nint codec);
    [LibraryImport(Codec)] public static partial void avcodec_free_context(nint* context);
    [LibraryImport(Codec)] public static partial int avcodec_parameters_to_context(nint context, nint parameters);
    [LibraryImport(Codec)] public static partial int avcodec_open2(nint context, nint codec, nint* options);
    [LibraryImport(Codec)] public static partial int avcodec_send_packet(nint context, nint packet);
    [LibraryImport(Codec)] public static partial int avcodec_receive_frame(nint context, nint frame);
    [LibraryImport(Codec)] public static partial nint av_packet_alloc();
    [LibraryImport(Codec)] public static partial void av_packet_free(nint* packet);
    [LibraryImport(Codec)] public static partial void av_packet_unref(nint packet);

    [LibraryImport(Util)] public static partial nint av_frame_alloc();
    [LibraryImport(Util)] public static partial void av_frame_free(nint* frame);
    [LibraryImport(Util)] public static partial void av_frame_unref(nint frame);
    [LibraryImport(Util, StringMarshalling = StringMarshalling.Utf8)] public static partial int av_opt_set_int(nint target, string name, long value, int searchFlags);
    [LibraryImport(Util)] public static partial nint av_pix_fmt_desc_get(int format);
    [LibraryImport(Util)] public static partial void av_image_fill_max_pixsteps(int* maxPixsteps, int* maxPixstepComps, nint descriptor);

    [LibraryImport(Scale)] public static partial nint sws_getCachedContext(nint context, int srcW, int srcH, int srcFormat, int dstW, int dstH, int dstFormat, int flags, nint srcFilter, nint dstFilter, double* param);
    [LibraryImport(Scale)] public static partial int sws_scale(nint context, byte** srcSlice, int* srcStride, int srcSliceY, int srcSliceH, byte** dst, int* dstStride);
    [LibraryImport(Scale)] public static partial void sws_freeContext(nint context);
    [LibraryImport(Scale)] public static partial nint sws_getCoefficients(int colorspace);
    [LibraryImport(Scale)] public static partial int sws_getColorspaceDetails(nint context, int** invTable, int* srcRange, int** table, int* dstRange, int* brightness, int* contrast, int* saturation);
    [LibraryImport(Scale)] public static partial int sws_setColorspaceDetails(nint context, int* invTable, int srcRange, int* table, int dstRange, int brightness, int contrast, int saturation);
    [LibraryImport(Util)] public static partial double av_display_rotation_get(nint matrix);
}
