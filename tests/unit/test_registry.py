from __future__ import annotations

from dynimg.api.rpc.registry import build_registry

SUPPORTED = {
    "AddVodTemplate",
    "GetVodTemplate",
    "ListVodTemplate",
    "UpdateVodTemplate",
    "DeleteVodTemplate",
    "CreateUploadVideo",
    "RefreshUploadVideo",
    "CreateUploadImage",
    "CreateUploadAttachedMedia",
    "GetVideoInfo",
    "GetVideoInfos",
    "GetVideoList",
    "UpdateVideoInfo",
    "DeleteVideo",
    "GetMezzanineInfo",
    "AddWatermark",
    "UpdateWatermark",
    "GetWatermark",
    "ListWatermark",
    "DeleteWatermark",
    "SetDefaultWatermark",
    "SubmitDynamicImageJob",
    "GetDynamicImageJob",
    "ListDynamicImageJobs",
    "ListDynamicImage",
    "DeleteDynamicImage",
    "SetMessageCallback",
    "GetMessageCallback",
    "DeleteMessageCallback",
    "ListCallbackEvents",
    "RedeliverCallbackEvent",
    "DescribeDynamicImageUsage",
    "GetAnimatedImageUrl",
    "GetThumbnailUrl",
    "ListSnapshots",
    "SubmitSnapshotJob",
    "UploadMediaByURL",
    "GetURLUploadInfos",
}


def test_registry_is_exactly_the_supported_actions() -> None:
    assert set(build_registry()) == SUPPORTED
