"""Simplified Chinese for the snapshot pages (merged into :data:`i18n.ZH_CN`)."""

from __future__ import annotations

ZH_CN_SNAPSHOTS = {
    "Snapshots": "截图",
    "Snapshot templates": "截图模板",
    "Animated-image templates": "动图模板",
    "New snapshot template": "新建截图模板",
    "No snapshot templates yet.": "还没有截图模板。",
    "Snapshot type": "截图类型",
    "Snapshot template": "截图模板",
    "Pictures (NormalSnapshot)": "普通截图（NormalSnapshot）",
    "Sprite sheets (SpriteSnapshot)": "雪碧图（SpriteSnapshot）",
    "Storyboard: sheets and WebVTT (WebVttSnapshot)": "故事板：雪碧图和 WebVTT（WebVttSnapshot）",
    "Pictures (Count, 1-10000)": "截图数量（Count，1-10000）",
    "Every (Interval, seconds; 0 spreads them evenly)": "间隔（Interval，秒；0 表示均匀分布）",
    "First at (SpecifiedOffsetTime, ms)": "起始时间（SpecifiedOffsetTime，毫秒）",
    "Frames (FrameType)": "帧类型（FrameType）",
    "Nearest keyframe (intra, fast)": "最近的关键帧（intra，快）",
    "Exact frame (normal)": "精确帧（normal）",
    "Sprite sheets": "雪碧图",
    "Columns": "列数",
    "Rows (Lines)": "行数（Lines）",
    "Padding (pixels between cells)": "间距（单元格之间的像素）",
    "Margin (pixels around the grid)": "边距（网格四周的像素）",
    "Background colour": "背景颜色",
    "Pictures": "截图数",
    "Every": "间隔",
    "Sheet": "雪碧图网格",
    "evenly": "均匀",
    "source": "源视频",
    "Player": "播放器",
    "Hover for the storyboard, click to seek": "悬停查看故事板，点击跳转",
    "Hover over the timeline to see the storyboard; click to seek.": (
        "将鼠标悬停在时间轴上查看故事板；点击跳转。"
    ),
    "No storyboard yet: submit a job with a WebVttSnapshot template.": (
        "还没有故事板：请用 WebVttSnapshot 模板提交任务。"
    ),
    "Submit a snapshot job": "提交截图任务",
    "None: the fields below": "无：使用下面的字段",
    "Pictures without a template": "不使用模板截图",
    "Snapshot job": "截图任务",
    "The first %d are shown.": "只显示前 %d 个。",
    "No snapshots yet.": "还没有截图。",
    "Import from URLs": "从 URL 导入",
    "Importing %s video(s): each is listed below and becomes Normal when its file has arrived.": (
        "正在导入 %s 个视频：它们列在下面，文件到达后状态变为 Normal。"
    ),
    "Video URLs (http or https, one a line, at most 20)": (
        "视频 URL（http 或 https，每行一个，最多 20 个）"
    ),
    "Import": "导入",
}
