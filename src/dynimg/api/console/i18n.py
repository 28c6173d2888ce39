"""English and Simplified Chinese. Keys are the English text, so a missing entry shows English."""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request

from dynimg.api.console.i18n_snapshots import ZH_CN_SNAPSHOTS

LANGUAGES = ("en", "zh-CN")
LANG_COOKIE = "dynimg_lang"

ZH_CN = {
    "Sign in": "登录",
    "Sign out": "退出登录",
    "Username": "用户名",
    "Password": "密码",
    "Videos": "视频",
    "Templates": "模板",
    "Jobs": "任务",
    "Gallery": "动图",
    "Upload a video": "上传视频",
    "Video file": "视频文件",
    "Title": "标题",
    "Upload": "上传",
    "Settings": "设置",
    "Frame rate": "帧率",
    "Start": "开始",
    "Length": "时长",
    "Quality": "质量",
    "Loop": "循环",
    "forever": "无限",
    "Speed": "速度",
    "Max file size": "最大文件大小",
    "As the source": "与源视频相同",
    "auto": "自动",
    "{done} of {total}": "{done} / {total}",
    "{seconds} s left": "剩余 {seconds} 秒",
    "or drop a video here": "或把视频拖到这里",
    "Status": "状态",
    "Duration": "时长",
    "Size": "大小",
    "Created": "创建时间",
    "Actions": "操作",
    "Play": "播放",
    "Delete": "删除",
    "No videos yet.": "还没有视频。",
    "New template": "新建模板",
    "Name": "名称",
    "Format": "格式",
    "Width": "宽度",
    "Height": "高度",
    "Frame rate (fps)": "帧率 (fps)",
    "Start (Seek, seconds)": "开始时间（Seek，秒）",
    "Length (Duration, seconds)": "时长（Duration，秒）",
    "Video for the timeline and preview": "用于时间轴和预览的视频",
    "Preview": "预览",
    "Save template": "保存模板",
    "Edit template": "编辑模板",
    "Edit": "编辑",
    "Cancel": "取消",
    "No templates yet.": "还没有模板。",
    "Submit a job": "提交任务",
    "Template": "模板",
    "Video": "视频",
    "Override parameters (JSON, optional)": "覆盖参数（JSON，可选）",
    "Submit": "提交",
    "State": "状态",
    "Progress": "进度",
    "Error": "错误",
    "Filter": "筛选",
    "All": "全部",
    "No jobs yet.": "还没有任务。",
    "Animated images": "动图",
    "Copy URL": "复制链接",
    "Download": "下载",
    "Copied": "已复制",
    "No animated images yet.": "还没有动图。",
    "Language": "语言",
    "Too many failed sign-ins. Try again in a few minutes.": "登录失败次数过多，请几分钟后再试。",
    "Wrong username or password.": "用户名或密码错误。",
    "Too many sign-ins at once. Try again in a moment.": "同时登录的请求过多，请稍后再试。",
    "The form expired. Please try again.": "表单已过期，请重试。",
    "Something went wrong on the server.": "服务器出错了。",
    "Dimensions": "尺寸",
    "Bytes": "字节",
    "Back": "返回",
    "Uploading": "上传中",
    "Delete this video and its animated images?": "删除此视频及其动图？",
    "Source": "源视频",
    "Cover": "封面",
    "Password and sessions": "密码与登录会话",
    "Password changed. Your other sessions were signed out.": "密码已修改，其他会话已退出登录。",
    "Current password": "当前密码",
    "New password": "新密码",
    "Change password": "修改密码",
    "Signs this user out in every browser, this one included.": (
        "在所有浏览器中退出此用户（包括当前浏览器）。"
    ),
    "Sign out everywhere": "在所有设备上退出",
    "Pages": "分页",
    "Previous": "上一页",
    "Next": "下一页",
    "Page %d of %d": "第 %d 页，共 %d 页",
    "Template saved.": "模板已保存。",
    "Job submitted.": "任务已提交。",
    "Leave empty to follow the source.": "留空则跟随源视频。",
    "Watermarks": "水印",
    "New text watermark": "新建文字水印",
    "New watermark": "新建水印",
    "Kind": "类型",
    "Text watermark": "文字水印",
    "Image watermark": "图片水印",
    "Image file": "图片文件",
    "Corner": "参考角",
    "Horizontal offset (Dx: px, or a ratio below 1)": "水平偏移（Dx：像素，或小于 1 的比例）",
    "Vertical offset (Dy: px, or a ratio below 1)": "垂直偏移（Dy：像素，或小于 1 的比例）",
    "Image width (px, or a ratio below 1)": "图片宽度（像素，或小于 1 的比例）",
    "Image height (px, or a ratio below 1)": "图片高度（像素，或小于 1 的比例）",
    "Shows from (seconds into the animated image)": "开始显示（动图中的秒数）",
    "Shows for (seconds; empty: to the end)": "显示时长（秒；留空则到结尾）",
    "Video for the preview": "用于预览的视频",
    "Upload a video to preview watermarks over it.": "上传视频后即可在视频上预览水印。",
    "Text": "文字",
    "Font": "字体",
    "Font size (px)": "字号（像素）",
    "Colour (name or #RRGGBB)": "颜色（名称或 #RRGGBB）",
    "Top (px)": "上边距（像素）",
    "Left (px)": "左边距（像素）",
    "Make it the account's default": "设为账号默认水印",
    "Add watermark": "添加水印",
    "Default": "默认",
    "Make default": "设为默认",
    "No watermarks yet.": "还没有水印。",
    "Account": "账号",
    "Copy the secret now: it is not shown again.": "请立即复制密钥：它不会再次显示。",
    "Enabled": "已启用",
    "Disabled": "已禁用",
    "Enable": "启用",
    "Disable": "禁用",
    "Create AccessKey": "创建 AccessKey",
    "Callback": "回调",
    "Callback URL": "回调地址",
    "optional: signs each event": "可选：用于签名每个事件",
    "Save callback": "保存回调",
    "Send a test event": "发送测试事件",
    "Recent deliveries": "最近的投递",
    "Event": "事件",
    "Attempts": "尝试次数",
    "No events yet.": "还没有事件。",
    "Usage by day": "每日用量",
    "Day": "日期",
    "Seconds of output": "输出秒数",
    "Images": "动图数",
    "No usage in these days.": "这几天没有用量。",
    "Advanced": "高级",
    "Quality (1-100, default 75)": "质量（1-100，默认 75）",
    "Loop (plays; 0 = forever)": "循环（播放次数；0 = 无限）",
    "Colours (MaxColors, 2-256)": "颜色数（MaxColors，2-256）",
    "Dither": "抖动",
    "Floyd-Steinberg (default)": "Floyd-Steinberg（默认）",
    "Bayer (smaller files)": "Bayer（文件更小）",
    "None": "无",
    "Max file size (KB, 1 KB = 1024 bytes)": "最大文件大小（KB，1 KB = 1024 字节）",
    "No limit": "不限",
    "= %s bytes": "= %s 字节",
    "Quality (WebP) or lossy compression (GIF), colours, frame rate and size are lowered until "
    "the file fits.": (
        "会依次降低质量（WebP）或提高有损压缩（GIF）、颜色数、帧率和尺寸，直到文件符合大小。"
    ),
    "Crop": "裁剪",
    "None: scale to Width × Height": "无：缩放到 宽 × 高",
    "Fill: cut the centre to Width × Height": "填充：居中裁剪为 宽 × 高",
    "Auto: cut off black bars (letterbox)": "自动：裁掉黑边（遮幅）",
    "Playback": "播放方式",
    "Forward": "正放",
    "Reverse": "倒放",
    "Bounce (forward, then back)": "往返（先正放再倒放）",
    "Speed (0.25-4, default 1)": "速度（0.25-4，默认 1）",
    "auto (best part)": "自动（最精彩的片段）",
    "dynimg picks the liveliest stretch of the chosen Length; needs a Length (Duration).": (
        "dynimg 会挑选所选时长中最精彩的一段；需要填写时长（Duration）。"
    ),
    "Override for this job": "本任务的覆盖参数",
    "Empty fields keep the template's value; a Start or Length replaces its whole TimeSpan.": (
        "留空的字段沿用模板的值；填写开始时间或时长会替换模板的整个 TimeSpan。"
    ),
    "As the template": "与模板相同",
    "File size / target": "文件大小 / 目标",
    "Job": "任务",
    "Started": "开始时间",
    "Finished": "完成时间",
    "Size search": "文件大小搜索",
    "Target (MaxFileSize): %s bytes; %d encode(s).": "目标（MaxFileSize）：%s 字节；编码 %d 次。",
    "Colours": "颜色数",
    "Kept": "保留",
    "kept": "已保留",
    "No encode fitted: the job failed with the smallest size reached.": (
        "没有符合大小的编码：任务失败，并报告可达到的最小大小。"
    ),
    "Frames": "帧数",
    "Loops": "循环次数",
    "0 (forever)": "0（无限）",
    "Copy MD5": "复制 MD5",
}
ZH_CN |= ZH_CN_SNAPSHOTS


def choose_language(request: Request) -> str:
    """The switch's choice (cookie), else the best of Accept-Language, else English."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    best, best_q = "en", -1.0
    for part in request.headers.get("accept-language", "").split(","):
        tag, _, params = part.strip().partition(";")
        try:
            q = float(params.strip()[2:]) if params.strip().startswith("q=") else 1.0
        except ValueError:
            continue
        lang = (
            "zh-CN"
            if tag.lower().startswith("zh")
            else "en"
            if tag.lower().startswith("en")
            else ""
        )
        if lang and q > best_q:
            best, best_q = lang, q
    return best


def translator(language: str) -> Callable[[str], str]:
    """The ``_`` function templates call."""
    table = ZH_CN if language == "zh-CN" else {}
    return lambda text: table.get(text, text)
