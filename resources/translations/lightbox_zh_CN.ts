<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>CoreMessages</name>
    <message>
        <source>modality unknown; the model &apos;%1&apos; is for %2</source>
        <translation>模态未知；模型“%1”适用于 %2</translation>
    </message>
    <message>
        <source>modality %1 is outside the model&apos;s intended use (%2)</source>
        <translation>模态 %1 超出模型的预期用途（%2）</translation>
    </message>
    <message>
        <source>slice thickness %1 mm exceeds the model&apos;s limit of %2 mm</source>
        <translation>层厚 %1 mm 超过模型上限 %2 mm</translation>
    </message>
    <message>
        <source>slice spacing %1 mm exceeds the model&apos;s limit of %2 mm</source>
        <translation>层间距 %1 mm 超过模型上限 %2 mm</translation>
    </message>
    <message>
        <source>in-plane spacing %1 mm is coarser than twice the model&apos;s %2 mm</source>
        <translation>层内像素间距 %1 mm 粗于模型所用 %2 mm 的两倍</translation>
    </message>
    <message>
        <source>the scan covers %1 mm along z, less than the %2 mm the model needs: findings near its ends may be missed</source>
        <translation>扫描沿 z 轴仅覆盖 %1 mm，少于模型所需的 %2 mm：两端附近的病灶可能漏检</translation>
    </message>
    <message>
        <source>values are not Hounsfield units; the lung mask and candidates assume CT</source>
        <translation>数值不是 CT 值（HU）；肺掩膜和候选病灶均假定为 CT</translation>
    </message>
    <message>
        <source>no lung found in this scan (no air region inside the body)</source>
        <translation>此扫描中未找到肺（体内无含气区域）</translation>
    </message>
    <message>
        <source>the series has no Patient ID: the objects carry it empty</source>
        <translation>该序列没有患者编号：写出的对象中该项为空</translation>
    </message>
    <message>
        <source>the series has no Patient&apos;s Name: the objects carry it empty</source>
        <translation>该序列没有患者姓名：写出的对象中该项为空</translation>
    </message>
    <message>
        <source>the source&apos;s %1 hold bytes its Specific Character Set cannot decode: the objects carry them as U+FFFD (%2)</source>
        <translation>源文件的 %1 含有其字符集无法解码的字节：写出的对象中以 U+FFFD 代替（%2）</translation>
    </message>
    <message>
        <source>the series was resampled onto an even grid (gaps, uneven spacing or gantry tilt): SEG frames on interpolated slices are placed by position only, key images are the nearest acquired slices</source>
        <translation>该序列已重采样到均匀网格（存在缺层、层距不均或机架倾斜）：插值层上的 SEG 帧仅按位置放置，关键图像取最近的采集层</translation>
    </message>
    <message>
        <source>the series has no Frame of Reference UID: the SEG places its frames by the source images only</source>
        <translation>该序列没有参考坐标系 UID：SEG 仅按源图像放置其帧</translation>
    </message>
    <message>
        <source>no pixel spacing: distances are in pixels, not mm</source>
        <translation>无像素间距：距离以像素计，而非毫米</translation>
    </message>
    <message>
        <source>uneven slice spacing: gaps from %1 to %2 mm (median %3 mm); resampled to a uniform grid</source>
        <translation>层间距不均：间隔 %1 至 %2 mm（中位数 %3 mm）；已重采样到均匀网格</translation>
    </message>
    <message>
        <source>area %1 mm², mean %2 %3, SD %4, min %5, max %6</source>
        <translation>面积 %1 mm²，均值 %2 %3，标准差 %4，最小 %5，最大 %6</translation>
    </message>
    <message>
        <source>area %1 mm²</source>
        <translation>面积 %1 mm²</translation>
    </message>
</context>
<context>
    <name>Terms</name>
    <message>
        <source>solid</source>
        <translation>实性</translation>
    </message>
    <message>
        <source>part-solid</source>
        <translation>部分实性</translation>
    </message>
    <message>
        <source>ground-glass</source>
        <translation>磨玻璃</translation>
    </message>
    <message>
        <source>calcified</source>
        <translation>钙化</translation>
    </message>
    <message>
        <source>nodule</source>
        <translation>结节</translation>
    </message>
    <message>
        <source>new</source>
        <translation>新发</translation>
    </message>
    <message>
        <source>growing</source>
        <translation>增大</translation>
    </message>
    <message>
        <source>stable</source>
        <translation>稳定</translation>
    </message>
    <message>
        <source>decreased</source>
        <translation>缩小</translation>
    </message>
    <message>
        <source>mask</source>
        <translation>掩膜</translation>
    </message>
    <message>
        <source>ellipsoid</source>
        <translation>椭球估算</translation>
    </message>
    <message>
        <source>length</source>
        <translation>长度</translation>
    </message>
    <message>
        <source>angle</source>
        <translation>角度</translation>
    </message>
    <message>
        <source>ellipse</source>
        <translation>椭圆</translation>
    </message>
    <message>
        <source>rectangle</source>
        <translation>矩形</translation>
    </message>
    <message>
        <source>point</source>
        <translation>点</translation>
    </message>
    <message>
        <source>arrow</source>
        <translation>箭头</translation>
    </message>
    <message>
        <source>text</source>
        <translation>文字</translation>
    </message>
    <message>
        <source>interval unknown (a study date is missing): no doubling time</source>
        <translation>间隔未知（缺少检查日期）：无倍增时间</translation>
    </message>
    <message>
        <source>the prior is dated after the current study: no doubling time</source>
        <translation>先前检查日期晚于当前检查：无倍增时间</translation>
    </message>
    <message>
        <source>the studies are from the same day: no doubling time</source>
        <translation>两次检查为同一天：无倍增时间</translation>
    </message>
    <message>
        <source>no volume to compare: no doubling time</source>
        <translation>无可比较的体积：无倍增时间</translation>
    </message>
    <message>
        <source>volume unchanged: no doubling (stable)</source>
        <translation>体积未变：无倍增（稳定）</translation>
    </message>
    <message>
        <source>volume decreased: no doubling time (shrinking)</source>
        <translation>体积缩小：无倍增时间（缩小）</translation>
    </message>
    <message>
        <source>new: no prior volume</source>
        <translation>新发：无先前体积</translation>
    </message>
    <message>
        <source>not a nodule</source>
        <translation>非结节</translation>
    </message>
    <message>
        <source>vessel</source>
        <translation>血管</translation>
    </message>
    <message>
        <source>scar / atelectasis</source>
        <translation>瘢痕/肺不张</translation>
    </message>
    <message>
        <source>benign calcification</source>
        <translation>良性钙化</translation>
    </message>
    <message>
        <source>artefact</source>
        <translation>伪影</translation>
    </message>
    <message>
        <source>outside the lung</source>
        <translation>肺外</translation>
    </message>
    <message>
        <source>proposed</source>
        <translation>待审核</translation>
    </message>
    <message>
        <source>accepted</source>
        <translation>已接受</translation>
    </message>
    <message>
        <source>rejected</source>
        <translation>已拒绝</translation>
    </message>
    <message>
        <source>edited</source>
        <translation>已编辑</translation>
    </message>
    <message>
        <source>no nodule in the prior</source>
        <translation>先前检查中无结节</translation>
    </message>
    <message>
        <source>no prior nodule within the match tolerance</source>
        <translation>匹配容差内无先前检查的结节</translation>
    </message>
    <message>
        <source>continue annual screening with LDCT in 12 months</source>
        <translation>继续年度低剂量 CT 筛查，12 个月后复查</translation>
    </message>
    <message>
        <source>LDCT in 6 months</source>
        <translation>6 个月后低剂量 CT 复查</translation>
    </message>
    <message>
        <source>LDCT in 3 months; PET/CT may be used if there is a &gt;= 8 mm solid component</source>
        <translation>3 个月后低剂量 CT 复查；实性成分 &gt;= 8 mm 时可行 PET/CT</translation>
    </message>
    <message>
        <source>diagnostic chest CT with or without contrast, PET/CT and/or tissue sampling, depending on the probability of malignancy</source>
        <translation>根据恶性概率，行胸部诊断性 CT（平扫或增强）、PET/CT 和/或组织取样</translation>
    </message>
    <message>
        <source>info</source>
        <translation>信息</translation>
    </message>
    <message>
        <source>warning</source>
        <translation>警告</translation>
    </message>
    <message>
        <source>error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>bone</source>
        <translation>骨</translation>
    </message>
    <message>
        <source>soft</source>
        <translation>软组织</translation>
    </message>
    <message>
        <source>lung</source>
        <translation>肺</translation>
    </message>
    <message>
        <source>mip</source>
        <translation>最大密度投影</translation>
    </message>
    <message>
        <source>rigid</source>
        <translation>刚性</translation>
    </message>
    <message>
        <source>affine</source>
        <translation>仿射</translation>
    </message>
    <message>
        <source>deformable</source>
        <translation>形变（B样条）</translation>
    </message>
    <message>
        <source>model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>blend</source>
        <translation>混合</translation>
    </message>
    <message>
        <source>checkerboard</source>
        <translation>棋盘格</translation>
    </message>
    <message>
        <source>difference</source>
        <translation>差值</translation>
    </message>
    <message>
        <source>colour</source>
        <translation>彩色</translation>
    </message>
    <message>
        <source>Jacobian determinant</source>
        <translation>雅可比行列式</translation>
    </message>
    <message>
        <source>displacement (mm)</source>
        <translation>位移 (mm)</translation>
    </message>
    <message>
        <source>local NCC (alignment quality)</source>
        <translation>局部NCC（对齐质量）</translation>
    </message>
    <message>
        <source>starting</source>
        <translation>正在启动</translation>
    </message>
    <message>
        <source>done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>linked</source>
        <translation>已关联</translation>
    </message>
    <message>
        <source>contains its centre</source>
        <translation>包含其中心</translation>
    </message>
    <message>
        <source>near its centre</source>
        <translation>靠近其中心</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>ruler</source>
        <translation>标尺</translation>
    </message>
    <message>
        <source>ai</source>
        <translation>AI</translation>
    </message>
    <message>
        <source>unmeasured</source>
        <translation>未测量</translation>
    </message>
    <message>
        <source>as acquired</source>
        <translation>按采集位置</translation>
    </message>
    <message>
        <source>one Frame of Reference</source>
        <translation>同一参考坐标系</translation>
    </message>
    <message>
        <source>a research file over the same place: a guess, check it</source>
        <translation>研究格式文件覆盖同一位置：推测，请核对</translation>
    </message>
</context>
<context>
    <name>lightbox::AnonymiseDialog</name>
    <message>
        <source>Export anonymised</source>
        <translation>匿名化导出</translation>
    </message>
    <message>
        <source>Browse...</source>
        <translation>浏览...</translation>
    </message>
    <message>
        <source>Export the open series anonymised into</source>
        <translation>将当前序列匿名化导出至</translation>
    </message>
    <message>
        <source>Replace every date with a dummy (basic profile)</source>
        <translation>所有日期替换为虚拟值（基本配置）</translation>
    </message>
    <message>
        <source>Keep the dates (retain longitudinal temporal information: full dates)</source>
        <translation>保留日期（保留纵向时间信息：完整日期）</translation>
    </message>
    <message>
        <source>Shift every date by (modified dates):</source>
        <translation>所有日期平移（修改日期）：</translation>
    </message>
    <message>
        <source> days</source>
        <translation> 天</translation>
    </message>
    <message>
        <source>Keep study and series descriptions (clean descriptors: kept as they are, not cleaned)</source>
        <translation>保留检查和序列描述（清理描述符选项：按原样保留，未清理）</translation>
    </message>
    <message>
        <source>Keep a mapping file of the replaced UIDs (readable by you only; export another series of the study with it and its UIDs match)</source>
        <translation>保留已替换 UID 的映射文件（仅您可读；用它导出该检查的其他序列，UID 保持一致）</translation>
    </message>
    <message>
        <source>Without it nothing links the export back to the patient</source>
        <translation>没有它，导出结果无法关联回患者</translation>
    </message>
    <message>
        <source>Mapping file</source>
        <translation>映射文件</translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation>CSV (*.csv)</translation>
    </message>
    <message>
        <source>Into folder</source>
        <translation>导出到文件夹</translation>
    </message>
    <message>
        <source>Dates</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>UIDs are replaced, private elements and identifying attributes removed (PS3.15 basic profile); pixel data is not changed: burned-in text is flagged, not removed.</source>
        <translation>UID 被替换，私有元素和可识别属性被删除（PS3.15 基本配置）；像素数据不变：烧录文字只标记，不删除。</translation>
    </message>
    <message>
        <source>Choose the folder to export into.</source>
        <translation>请选择导出文件夹。</translation>
    </message>
    <message>
        <source>A shift of 0 days keeps the dates: choose a number of days.</source>
        <translation>平移 0 天等于保留日期：请选择天数。</translation>
    </message>
    <message>
        <source>Choose where the mapping file goes.</source>
        <translation>请选择映射文件的位置。</translation>
    </message>
</context>
<context>
    <name>lightbox::DicomHeaderDialog</name>
    <message>
        <source>DICOM header — %1</source>
        <translation>DICOM 头信息 — %1</translation>
    </message>
    <message>
        <source>Filter by tag, name or value</source>
        <translation>按标签、名称或值筛选</translation>
    </message>
    <message>
        <source>Tag</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>VR</source>
        <translation>VR</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>数值</translation>
    </message>
    <message>
        <source>error</source>
        <translation>错误</translation>
    </message>
</context>
<context>
    <name>lightbox::FinalizeDialog</name>
    <message>
        <source>Report not written</source>
        <translation>报告未写入</translation>
    </message>
    <message>
        <source>%1

Nothing was written; the review is unchanged.</source>
        <translation>%1

未写入任何内容；审阅保持不变。</translation>
    </message>
    <message>
        <source>Report folder</source>
        <translation>报告文件夹</translation>
    </message>
    <message>
        <source>Finalize report</source>
        <translation>定稿报告</translation>
    </message>
    <message>
        <source>What will be written:</source>
        <translation>将写入的内容：</translation>
    </message>
    <message>
        <source>Report %1 at its mask&apos;s size, %2 x %3 mm (the AI said %4 mm: %5x apart)</source>
        <translation>按掩膜大小 %2 x %3 mm 报告 %1（AI 给出 %4 mm：相差 %5 倍）</translation>
    </message>
    <message>
        <source>Reader</source>
        <translation>阅片医师</translation>
    </message>
    <message>
        <source>Folder</source>
        <translation>文件夹</translation>
    </message>
    <message>
        <source>Browse...</source>
        <translation>浏览...</translation>
    </message>
    <message>
        <source>label map as NIfTI</source>
        <translation>标签图（NIfTI）</translation>
    </message>
    <message>
        <source>measurements as CSV</source>
        <translation>测量（CSV）</translation>
    </message>
    <message>
        <source>Also</source>
        <translation>另外</translation>
    </message>
    <message>
        <source>Impression (drafted from the findings; edit before finalizing):</source>
        <translation>印象（根据发现起草；定稿前请编辑）：</translation>
    </message>
    <message>
        <source>Finalize</source>
        <translation>定稿</translation>
    </message>
    <message>
        <source>Send to</source>
        <translation>发送至</translation>
    </message>
    <message>
        <source>Nowhere: keep it on this computer</source>
        <translation>不发送：仅保存在本机</translation>
    </message>
</context>
<context>
    <name>lightbox::FindingsPanel</name>
    <message>
        <source>L lung, z %1 mm</source>
        <translation>左肺，z %1 mm</translation>
    </message>
    <message>
        <source>R lung, z %1 mm</source>
        <translation>右肺，z %1 mm</translation>
    </message>
    <message>
        <source>not compared: only accepted nodules with a size are</source>
        <translation>未比较：仅比较已接受且有大小的结节</translation>
    </message>
    <message>
        <source>new: nothing to compare</source>
        <translation>新发：无可比较</translation>
    </message>
    <message>
        <source>matched through the registration: %1 mm from the mapped centre (tolerance %2 mm)</source>
        <translation>经配准匹配：距映射中心 %1 mm（容差 %2 mm）</translation>
    </message>
    <message>
        <source>matched through the registration: %1 mm from the mapped centre (tolerance %2 mm); the prior finding is an AI proposal nobody decided on</source>
        <translation>经配准匹配：距映射中心 %1 mm（容差 %2 mm）；先前检查的该发现是无人判定过的 AI 候选</translation>
    </message>
    <message>
        <source>mean diameter, prior → current</source>
        <translation>平均直径，先前检查 → 当前</translation>
    </message>
    <message>
        <source>%1 → %2 mm³, segmented volumes (both masks)</source>
        <translation>%1 → %2 mm³，分割体积（两者均有掩膜）</translation>
    </message>
    <message>
        <source>%1 → %2 mm³, ellipsoid of the axes (pi/6 · long · short²): not both have a mask</source>
        <translation>%1 → %2 mm³，按轴长估算的椭球体积（pi/6 · 长径 · 短径²）：并非两者都有掩膜</translation>
    </message>
    <message>
        <source>shrinking</source>
        <translation>缩小</translation>
    </message>
    <message>
        <source>∞ (stable)</source>
        <translation>∞（稳定）</translation>
    </message>
    <message>
        <source>date?</source>
        <translation>日期？</translation>
    </message>
    <message>
        <source>volume-doubling time = interval · ln 2 / ln(V / Vprior)</source>
        <translation>体积倍增时间 = 间隔 · ln 2 / ln(V / V先前)</translation>
    </message>
    <message>
        <source>Detect nodules</source>
        <translation>检测结节</translation>
    </message>
    <message>
        <source>Run the lung nodule model on the open series (off the GUI thread)</source>
        <translation>在打开的序列上运行肺结节模型（在后台线程中）</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>%1 FP/scan</source>
        <translation>%1 假阳性/扫描</translation>
    </message>
    <message>
        <source>Expected false positives per scan (from the model&apos;s validation set): lower shows fewer, surer findings</source>
        <translation>每次扫描的预期假阳性数（来自模型的验证集）：越低，显示的发现越少、越可靠</translation>
    </message>
    <message>
        <source>Operating point</source>
        <translation>工作点</translation>
    </message>
    <message>
        <source>Reject reason (R)</source>
        <translation>拒绝原因 (R)</translation>
    </message>
    <message>
        <source>Hide rejected findings</source>
        <translation>隐藏已拒绝的发现</translation>
    </message>
    <message>
        <source>Move to the next finding after A / R</source>
        <translation>按 A / R 后移至下一个发现</translation>
    </message>
    <message>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Diam. mm</source>
        <translation>直径 mm</translation>
    </message>
    <message>
        <source>Vol. mm³</source>
        <translation>体积 mm³</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Score</source>
        <translation>评分</translation>
    </message>
    <message>
        <source>Location</source>
        <translation>位置</translation>
    </message>
    <message>
        <source>Upper lobe</source>
        <translation>上叶</translation>
    </message>
    <message>
        <source>Spic.</source>
        <translation>毛刺</translation>
    </message>
    <message>
        <source>Prior</source>
        <translation>先前检查</translation>
    </message>
    <message>
        <source>ΔDiam. mm</source>
        <translation>Δ直径 mm</translation>
    </message>
    <message>
        <source>ΔVol.</source>
        <translation>Δ体积</translation>
    </message>
    <message>
        <source>VDT days</source>
        <translation>VDT 天</translation>
    </message>
    <message>
        <source>Growth</source>
        <translation>生长</translation>
    </message>
    <message>
        <source>Previous finding (P)</source>
        <translation>上一个发现 (P)</translation>
    </message>
    <message>
        <source>Next finding (N)</source>
        <translation>下一个发现 (N)</translation>
    </message>
    <message>
        <source>Accept</source>
        <translation>接受</translation>
    </message>
    <message>
        <source>Accept (A)</source>
        <translation>接受 (A)</translation>
    </message>
    <message>
        <source>Reject</source>
        <translation>拒绝</translation>
    </message>
    <message>
        <source>Reject with the reason above (R)</source>
        <translation>按上方的原因拒绝 (R)</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <source>Edit: drag the diameter&apos;s handles (E)</source>
        <translation>编辑：拖动直径的控制点 (E)</translation>
    </message>
    <message>
        <source>&lt;b&gt;Decision support&lt;/b&gt; (suggestions for the reader, not a diagnosis)</source>
        <translation>&lt;b&gt;决策支持&lt;/b&gt;（供阅片者参考的建议，并非诊断）</translation>
    </message>
    <message>
        <source>age ?</source>
        <translation>年龄？</translation>
    </message>
    <message>
        <source> y</source>
        <translation> 岁</translation>
    </message>
    <message>
        <source>sex ?</source>
        <translation>性别？</translation>
    </message>
    <message>
        <source>F</source>
        <translation>女</translation>
    </message>
    <message>
        <source>M</source>
        <translation>男</translation>
    </message>
    <message>
        <source>family history</source>
        <translation>家族史</translation>
    </message>
    <message>
        <source>emphysema</source>
        <translation>肺气肿</translation>
    </message>
    <message>
        <source>AI: detecting lung nodules...</source>
        <translation>AI：正在检测肺结节...</translation>
    </message>
    <message>
        <source>AI: scoring nodule candidates %1/%2</source>
        <translation>AI：正在为候选结节评分 %1/%2</translation>
    </message>
    <message>
        <source>Detection cancelled</source>
        <translation>检测已取消</translation>
    </message>
    <message>
        <source>Detection failed: %1</source>
        <translation>检测失败：%1</translation>
    </message>
    <message>
        <source>Detection result discarded: another series was opened meanwhile</source>
        <translation>检测结果已丢弃：期间打开了另一个序列</translation>
    </message>
    <message>
        <source>%1 candidates, %2 findings at %3 FP/scan (%4 s)</source>
        <translation>%1 个候选，%3 假阳性/扫描下 %2 个发现（%4 秒）</translation>
    </message>
    <message>
        <source>No finding to decide on: run detection (Ctrl+D)</source>
        <translation>没有可判定的发现：请运行检测 (Ctrl+D)</translation>
    </message>
    <message>
        <source>%1 was already %2, now at %3</source>
        <translation>%1 已是%2，现在位于 %3</translation>
    </message>
    <message>
        <source>%1 was already %2, the last finding in the list</source>
        <translation>%1 已是%2，这是列表中的最后一个发现</translation>
    </message>
    <message>
        <source>%1 was already %2, %1 stays selected</source>
        <translation>%1 已是%2，%1 保持选中</translation>
    </message>
    <message>
        <source>Rejected %1 (%2), now at %3</source>
        <translation>已拒绝 %1（%2），现在位于 %3</translation>
    </message>
    <message>
        <source>Rejected %1 (%2), the last finding in the list</source>
        <translation>已拒绝 %1（%2），这是列表中的最后一个发现</translation>
    </message>
    <message>
        <source>Rejected %1 (%2), %1 stays selected</source>
        <translation>已拒绝 %1（%2），%1 保持选中</translation>
    </message>
    <message>
        <source>Accepted %1, now at %2</source>
        <translation>已接受 %1，现在位于 %2</translation>
    </message>
    <message>
        <source>Accepted %1, the last finding in the list</source>
        <translation>已接受 %1，这是列表中的最后一个发现</translation>
    </message>
    <message>
        <source>Accepted %1, %1 stays selected</source>
        <translation>已接受 %1，%1 保持选中</translation>
    </message>
    <message>
        <source>No detection run on this series.</source>
        <translation>此序列尚未运行检测。</translation>
    </message>
    <message>
        <source>AI unmeasured</source>
        <translation>AI 未测量</translation>
    </message>
    <message>
        <source>AI %1</source>
        <translation>AI %1</translation>
    </message>
    <message>
        <source>unmeasured: E to measure</source>
        <translation>未测量：按 E 测量</translation>
    </message>
    <message>
        <source>The radial profile reached its %1 mm search limit without finding the edge (e.g. merged with the hilum or chest wall): this is not a size.</source>
        <translation>径向轮廓已达 %1 mm 搜索上限仍未找到边缘（例如与肺门或胸壁相连）：这不是大小。</translation>
    </message>
    <message>
        <source>mask volume (AI: %1 mm³)</source>
        <translation>掩膜体积（AI：%1 mm³）</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>%1 finding(s) at %2 FP/scan, %3 decided</source>
        <translation>%2 假阳性/扫描下 %1 个发现，已判定 %3 个</translation>
    </message>
    <message>
        <source>&lt;b&gt;Lung-RADS: incomplete&lt;/b&gt; &lt;span style=&apos;color:#e07800&apos;&gt;accepted finding(s) %1 have no size (the AI&apos;s profile hit its cap): measure them with E first&lt;/span&gt;</source>
        <translation>&lt;b&gt;Lung-RADS：不完整&lt;/b&gt; &lt;span style=&apos;color:#e07800&apos;&gt;已接受的发现 %1 没有大小（AI 的轮廓达到上限）：请先按 E 测量&lt;/span&gt;</translation>
    </message>
    <message>
        <source>&lt;b&gt;Lung-RADS %1&lt;/b&gt; suggested from %2 accepted nodule(s).&lt;br&gt;%3&lt;br&gt;&lt;i&gt;%4&lt;/i&gt;</source>
        <translation>&lt;b&gt;Lung-RADS %1&lt;/b&gt;（根据 %2 个已接受结节建议）。&lt;br&gt;%3&lt;br&gt;&lt;i&gt;%4&lt;/i&gt;</translation>
    </message>
    <message>
        <source>%1: Brock %2 %</source>
        <translation>%1：Brock %2 %</translation>
    </message>
    <message>
        <source>unknown, 62 assumed</source>
        <translation>未知，按 62 岁计</translation>
    </message>
    <message>
        <source>%1 (from %2)</source>
        <translation>%1（来自 %2）</translation>
    </message>
    <message>
        <source>%1 (entered)</source>
        <translation>%1（手动输入）</translation>
    </message>
    <message>
        <source>&lt;i&gt;Brock (PanCan) full model; age %1, sex unknown (male assumed); upper lobe and spiculation as ticked per nodule.&lt;/i&gt;</source>
        <translation>&lt;i&gt;Brock (PanCan) 完整模型；年龄 %1，性别未知（按男性计）；上叶与毛刺按各结节的勾选。&lt;/i&gt;</translation>
    </message>
    <message>
        <source>&lt;i&gt;Brock (PanCan) full model; age %1; upper lobe and spiculation as ticked per nodule.&lt;/i&gt;</source>
        <translation>&lt;i&gt;Brock (PanCan) 完整模型；年龄 %1；上叶与毛刺按各结节的勾选。&lt;/i&gt;</translation>
    </message>
    <message>
        <source>&lt;b&gt;AI pre-read&lt;/b&gt; by lightbox batch, not yet reviewed</source>
        <translation>&lt;b&gt;AI 预读&lt;/b&gt;（lightbox batch），尚未审阅</translation>
    </message>
    <message>
        <source>Run folder: %1</source>
        <translation>运行文件夹：%1</translation>
    </message>
    <message>
        <source>&lt;b&gt;AI pre-read&lt;/b&gt; by lightbox batch, in review</source>
        <translation>&lt;b&gt;AI 预读&lt;/b&gt;（lightbox batch），审阅中</translation>
    </message>
    <message>
        <source>AI: measuring the findings on their masks</source>
        <translation>AI：正在按掩膜测量发现</translation>
    </message>
    <message>
        <source>AI size measured on the lesion engine&apos;s mask at the finding: the mean of its long and short axes, as segmenting it (M) would give</source>
        <translation>AI 尺寸取自病灶引擎在该发现处的掩膜：其长轴与短轴的平均值，与分割该发现（M）所得一致</translation>
    </message>
    <message>
        <source>The model&apos;s calibrated probability that the finding is a nodule (reliability on a background it never saw: model card), with as many decimals as keep different scores apart</source>
        <translation>模型给出的该发现为结节的校准概率（在其从未见过的背景上的可靠性：见模型卡），小数位数以区分不同分数为准</translation>
    </message>
    <message>
        <source>AI size from radial HU profiles, not a mask: below the run&apos;s operating point, or no mask the lesion engine made passed the finding&apos;s checks</source>
        <translation>AI 尺寸取自径向 HU 剖面而非掩膜：低于本次运行的工作点，或病灶引擎生成的掩膜未通过该发现的检查</translation>
    </message>
</context>
<context>
    <name>lightbox::MainWindow</name>
    <message>
        <source>prior: </source>
        <translation>先前检查：</translation>
    </message>
    <message>
        <source>error: </source>
        <translation>错误：</translation>
    </message>
    <message>
        <source>Label measurement</source>
        <translation>标注测量</translation>
    </message>
    <message>
        <source>comparison: </source>
        <translation>对比序列：</translation>
    </message>
    <message>
        <source>AI: </source>
        <translation>AI：</translation>
    </message>
    <message>
        <source>AI error: </source>
        <translation>AI 错误：</translation>
    </message>
    <message>
        <source>Drag the diameter&apos;s handles to the nodule&apos;s edges; the finding is marked edited</source>
        <translation>拖动直径的控制点到结节边缘；该发现将标记为已编辑</translation>
    </message>
    <message>
        <source>registration: </source>
        <translation>配准：</translation>
    </message>
    <message>
        <source>registration error: </source>
        <translation>配准错误：</translation>
    </message>
    <message>
        <source>Reading %1</source>
        <translation>正在读取 %1</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Opening cancelled</source>
        <translation>已取消打开</translation>
    </message>
    <message>
        <source>skipped (not DICOM): %1</source>
        <translation>已跳过（非 DICOM）：%1</translation>
    </message>
    <message>
        <source>skipped %1 more files that are not DICOM</source>
        <translation>另有 %1 个非 DICOM 文件已跳过</translation>
    </message>
    <message>
        <source>no DICOM series in %1: opening %2%3</source>
        <translation>%1 中没有 DICOM 序列：打开 %2%3</translation>
    </message>
    <message>
        <source> (first of %1 images)</source>
        <translation>（%1 个图像中的第一个）</translation>
    </message>
    <message>
        <source>%1%2 series found in %3 files; showing %4</source>
        <translation>%1在 %3 个文件中找到 %2 个序列；显示 %4</translation>
    </message>
    <message>
        <source>Cannot open %1: %2</source>
        <translation>无法打开 %1：%2</translation>
    </message>
    <message>
        <source>Cannot open study</source>
        <translation>无法打开检查</translation>
    </message>
    <message>
        <source>warning: not added to the study list: </source>
        <translation>警告：未加入检查列表：</translation>
    </message>
    <message>
        <source>registration restored (%1, prior %2)</source>
        <translation>已恢复配准（%1，先前检查 %2）</translation>
    </message>
    <message>
        <source>not linked (View &gt; Link comparison scrolling)</source>
        <translation>未联动（视图 &gt; 联动对比序列滚动）</translation>
    </message>
    <message>
        <source>Studies</source>
        <translation>检查</translation>
    </message>
    <message>
        <source>Measurements</source>
        <translation>测量</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>AI findings</source>
        <translation>AI 发现</translation>
    </message>
    <message>
        <source>Segments</source>
        <translation>分割</translation>
    </message>
    <message>
        <source>Registration</source>
        <translation>配准</translation>
    </message>
    <message>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>数值</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>Lightbox</source>
        <translation>Lightbox</translation>
    </message>
    <message>
        <source>Lightbox — %1</source>
        <translation>Lightbox — %1</translation>
    </message>
    <message>
        <source>Type the note and press Enter</source>
        <translation>输入注释后按回车</translation>
    </message>
    <message>
        <source>Open a series first</source>
        <translation>请先打开一个序列</translation>
    </message>
    <message>
        <source>report: </source>
        <translation>报告：</translation>
    </message>
    <message>
        <source>Report not prepared</source>
        <translation>报告未生成</translation>
    </message>
    <message>
        <source>%1

Nothing was written; your review is unchanged.</source>
        <translation>%1

未写入任何文件；您的审阅未改变。</translation>
    </message>
    <message>
        <source>Report version %1 written to %2 (%3 files, %4 s)</source>
        <translation>报告第 %1 版已写入 %2（%3 个文件，%4 秒）</translation>
    </message>
    <message>
        <source>Report written to %1</source>
        <translation>报告已写入 %1</translation>
    </message>
    <message>
        <source>No DICOM file behind the open image</source>
        <translation>当前图像没有对应的 DICOM 文件</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Open folder...</source>
        <translation>打开文件夹(&amp;O)...</translation>
    </message>
    <message>
        <source>Open study folder</source>
        <translation>打开检查文件夹</translation>
    </message>
    <message>
        <source>Open &amp;file...</source>
        <translation>打开文件(&amp;F)...</translation>
    </message>
    <message>
        <source>Open image file</source>
        <translation>打开图像文件</translation>
    </message>
    <message>
        <source>Images (*.dcm *.DCM *.nii *.nii.gz *.nrrd *.nhdr *.mha *.mhd);;All files (*)</source>
        <translation>图像 (*.dcm *.DCM *.nii *.nii.gz *.nrrd *.nhdr *.mha *.mhd);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Open &amp;label map, DICOM SEG, RTSTRUCT or SR on this series...</source>
        <translation>在此序列上打开标签图、DICOM SEG、RTSTRUCT 或 SR(&amp;L)...</translation>
    </message>
    <message>
        <source>Open label map (NIfTI, NRRD, MetaImage), DICOM SEG, RTSTRUCT or SR</source>
        <translation>打开标签图（NIfTI、NRRD、MetaImage）、DICOM SEG、RTSTRUCT 或 SR</translation>
    </message>
    <message>
        <source>Label maps and DICOM objects (*.nii *.nii.gz *.nrrd *.nhdr *.mha *.mhd *.dcm *.DCM);;All files (*)</source>
        <translation>标签图和 DICOM 对象 (*.nii *.nii.gz *.nrrd *.nhdr *.mha *.mhd *.dcm *.DCM);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Open &amp;comparison (prior) folder...</source>
        <translation>打开先前检查文件夹（对比）(&amp;C)...</translation>
    </message>
    <message>
        <source>Open comparison study folder</source>
        <translation>打开对比检查文件夹</translation>
    </message>
    <message>
        <source>Open comparison (prior) f&amp;ile...</source>
        <translation>打开先前检查文件（对比）(&amp;I)...</translation>
    </message>
    <message>
        <source>Open comparison image file</source>
        <translation>打开对比图像文件</translation>
    </message>
    <message>
        <source>&amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Import folder into the study list...</source>
        <translation>将文件夹导入检查列表(&amp;I)...</translation>
    </message>
    <message>
        <source>Import folder</source>
        <translation>导入文件夹</translation>
    </message>
    <message>
        <source>Imported %1 files (%2 new or changed, %3 rejected)</source>
        <translation>已导入 %1 个文件（%2 个新增或更改，%3 个被拒绝）</translation>
    </message>
    <message>
        <source>Save view as &amp;PNG...</source>
        <translation>将视图保存为 PNG(&amp;P)...</translation>
    </message>
    <message>
        <source>Save view as PNG</source>
        <translation>将视图保存为 PNG</translation>
    </message>
    <message>
        <source>PNG (*.png)</source>
        <translation>PNG (*.png)</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>已保存 %1</translation>
    </message>
    <message>
        <source>error: cannot write %1</source>
        <translation>错误：无法写入 %1</translation>
    </message>
    <message>
        <source>Save view</source>
        <translation>保存视图</translation>
    </message>
    <message>
        <source>Cannot write %1</source>
        <translation>无法写入 %1</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>重做(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Copy view</source>
        <translation>复制视图(&amp;C)</translation>
    </message>
    <message>
        <source>View copied to the clipboard</source>
        <translation>视图已复制到剪贴板</translation>
    </message>
    <message>
        <source>&amp;Delete measurement</source>
        <translation>删除测量(&amp;D)</translation>
    </message>
    <message>
        <source>Tools</source>
        <translation>工具</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>工具(&amp;T)</translation>
    </message>
    <message>
        <source>Navigate</source>
        <translation>浏览</translation>
    </message>
    <message>
        <source>Length</source>
        <translation>长度</translation>
    </message>
    <message>
        <source>Angle</source>
        <translation>角度</translation>
    </message>
    <message>
        <source>Ellipse ROI</source>
        <translation>椭圆 ROI</translation>
    </message>
    <message>
        <source>Rectangle ROI</source>
        <translation>矩形 ROI</translation>
    </message>
    <message>
        <source>Point</source>
        <translation>点</translation>
    </message>
    <message>
        <source>Arrow note</source>
        <translation>箭头注释</translation>
    </message>
    <message>
        <source>Text note</source>
        <translation>文字注释</translation>
    </message>
    <message>
        <source>Segment lesion</source>
        <translation>分割病灶</translation>
    </message>
    <message>
        <source>Brush</source>
        <translation>画笔</translation>
    </message>
    <message>
        <source>Eraser</source>
        <translation>橡皮擦</translation>
    </message>
    <message>
        <source>Threshold brush</source>
        <translation>阈值画笔</translation>
    </message>
    <message>
        <source>Threshold in a box</source>
        <translation>框内阈值</translation>
    </message>
    <message>
        <source>Fill segment between slices</source>
        <translation>层间填充分割</translation>
    </message>
    <message>
        <source>Remove segment islands</source>
        <translation>去除分割孤岛</translation>
    </message>
    <message>
        <source>Smooth segment</source>
        <translation>平滑分割</translation>
    </message>
    <message>
        <source>No segment to change, or nothing changed</source>
        <translation>没有可更改的分割，或未发生变化</translation>
    </message>
    <message>
        <source>Segment with the AI model (off: classical engine)</source>
        <translation>使用 AI 模型分割（关闭：经典算法）</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>1 x 2 (current | comparison)</source>
        <translation>1 x 2（当前 | 对比）</translation>
    </message>
    <message>
        <source>2 x 2 (MPR + 3D)</source>
        <translation>2 x 2（MPR + 3D）</translation>
    </message>
    <message>
        <source>DICOM &amp;header of this image...</source>
        <translation>此图像的 DICOM 头信息(&amp;H)...</translation>
    </message>
    <message>
        <source>Link comparison scrolling</source>
        <translation>联动对比序列滚动</translation>
    </message>
    <message>
        <source>Crosshair lines (X)</source>
        <translation>十字线 (X)</translation>
    </message>
    <message>
        <source>3D preset</source>
        <translation>3D 预设</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>System (%1)</source>
        <translation>跟随系统（%1）</translation>
    </message>
    <message>
        <source>&amp;AI</source>
        <translation>AI(&amp;A)</translation>
    </message>
    <message>
        <source>Detect lung nodules</source>
        <translation>检测肺结节</translation>
    </message>
    <message>
        <source>Cancel detection</source>
        <translation>取消检测</translation>
    </message>
    <message>
        <source>Next finding</source>
        <translation>下一个发现</translation>
    </message>
    <message>
        <source>Previous finding</source>
        <translation>上一个发现</translation>
    </message>
    <message>
        <source>Accept finding</source>
        <translation>接受发现</translation>
    </message>
    <message>
        <source>Reject finding</source>
        <translation>拒绝发现</translation>
    </message>
    <message>
        <source>Edit finding</source>
        <translation>编辑发现</translation>
    </message>
    <message>
        <source>Segment finding (its mask sizes it for Lung-RADS)</source>
        <translation>分割发现（其掩膜用于 Lung-RADS 大小）</translation>
    </message>
    <message>
        <source>Select a finding first (N / P)</source>
        <translation>请先选择一个发现（N / P）</translation>
    </message>
    <message>
        <source>Finding %1 segmented</source>
        <translation>发现 %1 已分割</translation>
    </message>
    <message>
        <source>&amp;Finalize report...</source>
        <translation>报告定稿(&amp;F)...</translation>
    </message>
    <message>
        <source>Models...</source>
        <translation>模型...</translation>
    </message>
    <message>
        <source>ok</source>
        <translation>可用</translation>
    </message>
    <message>
        <source>REFUSED: %1</source>
        <translation>已拒绝：%1</translation>
    </message>
    <message>
        <source>AI models</source>
        <translation>AI 模型</translation>
    </message>
    <message>
        <source>No models found.

</source>
        <translation>未找到模型。

</translation>
    </message>
    <message>
        <source>Add a model by dropping a TorchScript file and its manifest (JSON) into:
%1</source>
        <translation>将 TorchScript 文件及其清单（JSON）放入以下文件夹即可添加模型：
%1</translation>
    </message>
    <message>
        <source>&amp;Registration</source>
        <translation>配准(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Shortcuts</source>
        <translation>快捷键(&amp;S)</translation>
    </message>
    <message>
        <source>Slice views</source>
        <translation>断层视图</translation>
    </message>
    <message>
        <source>Wheel, Up / Down, Ctrl+drag</source>
        <translation>滚轮、上 / 下、Ctrl+拖动</translation>
    </message>
    <message>
        <source>next / previous slice</source>
        <translation>下一层 / 上一层</translation>
    </message>
    <message>
        <source>PageUp / PageDown</source>
        <translation>PageUp / PageDown</translation>
    </message>
    <message>
        <source>10 slices</source>
        <translation>10 层</translation>
    </message>
    <message>
        <source>C</source>
        <translation>C</translation>
    </message>
    <message>
        <source>cine on / off</source>
        <translation>电影播放 开 / 关</translation>
    </message>
    <message>
        <source>Ctrl+wheel</source>
        <translation>Ctrl+滚轮</translation>
    </message>
    <message>
        <source>zoom about the cursor</source>
        <translation>以光标为中心缩放</translation>
    </message>
    <message>
        <source>Middle drag</source>
        <translation>中键拖动</translation>
    </message>
    <message>
        <source>pan</source>
        <translation>平移</translation>
    </message>
    <message>
        <source>Home</source>
        <translation>Home</translation>
    </message>
    <message>
        <source>reset zoom and pan</source>
        <translation>重置缩放和平移</translation>
    </message>
    <message>
        <source>Left click / drag</source>
        <translation>左键单击 / 拖动</translation>
    </message>
    <message>
        <source>move the crosshair (all views follow)</source>
        <translation>移动十字线（所有视图跟随）</translation>
    </message>
    <message>
        <source>Right drag</source>
        <translation>右键拖动</translation>
    </message>
    <message>
        <source>window (horizontal) / level (vertical)</source>
        <translation>窗宽（水平）/ 窗位（垂直）</translation>
    </message>
    <message>
        <source>1 2 3 4 5 6 / 0</source>
        <translation>1 2 3 4 5 6 / 0</translation>
    </message>
    <message>
        <source>lung, mediastinum, bone, brain, abdomen, liver / series window</source>
        <translation>肺窗、纵隔窗、骨窗、脑窗、腹部窗、肝窗 / 序列窗</translation>
    </message>
    <message>
        <source>I / T / X</source>
        <translation>I / T / X</translation>
    </message>
    <message>
        <source>invert / corner text, letters, scale bar / crosshair lines</source>
        <translation>反色 / 四角文字、方位字母、比例尺 / 十字线</translation>
    </message>
    <message>
        <source>Shift+drag / O</source>
        <translation>Shift+拖动 / O</translation>
    </message>
    <message>
        <source>turn the plane (oblique) / back to the standard plane</source>
        <translation>旋转平面（斜位）/ 回到标准平面</translation>
    </message>
    <message>
        <source>S / [ ]</source>
        <translation>S / [ ]</translation>
    </message>
    <message>
        <source>slab MIP, MinIP, mean, off / thickness -/+ 2 mm</source>
        <translation>层块 MIP、MinIP、平均、关闭 / 厚度 -/+ 2 mm</translation>
    </message>
    <message>
        <source>Double click</source>
        <translation>双击</translation>
    </message>
    <message>
        <source>maximise / restore a view</source>
        <translation>最大化 / 还原视图</translation>
    </message>
    <message>
        <source>Shift+L / A / E / R / P</source>
        <translation>Shift+L / A / E / R / P</translation>
    </message>
    <message>
        <source>length / angle / ellipse / rectangle / point</source>
        <translation>长度 / 角度 / 椭圆 / 矩形 / 点</translation>
    </message>
    <message>
        <source>Shift+W / Shift+T</source>
        <translation>Shift+W / Shift+T</translation>
    </message>
    <message>
        <source>arrow / text note (type the note in the measurement table)</source>
        <translation>箭头 / 文字注释（在测量表中输入注释）</translation>
    </message>
    <message>
        <source>Shift+G</source>
        <translation>Shift+G</translation>
    </message>
    <message>
        <source>segment a lesion: click it (label map, RECIST axes and volume; undoable, saved)</source>
        <translation>分割病灶：单击病灶（标签图、RECIST 径线和体积；可撤销，自动保存）</translation>
    </message>
    <message>
        <source>Alt+click / Alt+right click</source>
        <translation>Alt+单击 / Alt+右键单击</translation>
    </message>
    <message>
        <source>segment tool: add / remove a region of the selected model segment</source>
        <translation>分割工具：在所选模型分割中添加 / 去除区域</translation>
    </message>
    <message>
        <source>Shift+B / Shift+X, [ / ]</source>
        <translation>Shift+B / Shift+X，[ / ]</translation>
    </message>
    <message>
        <source>brush / eraser on the selected segment, smaller / larger brush</source>
        <translation>在所选分割上用画笔 / 橡皮擦，画笔缩小 / 放大</translation>
    </message>
    <message>
        <source>Shift+H</source>
        <translation>Shift+H</translation>
    </message>
    <message>
        <source>threshold brush: paints only voxels in the range set in the Segments dock</source>
        <translation>阈值画笔：只绘制分割面板中所设范围内的体素</translation>
    </message>
    <message>
        <source>Shift+Y</source>
        <translation>Shift+Y</translation>
    </message>
    <message>
        <source>threshold in a box: drag a box around a lesion; the in-range part through its centre becomes a segment</source>
        <translation>框内阈值：围绕病灶拖出方框；经过其中心且在范围内的部分成为分割</translation>
    </message>
    <message>
        <source>Segments dock</source>
        <translation>分割面板</translation>
    </message>
    <message>
        <source>click a segment: the brush paints it, every view goes to it; double click: rename / colour</source>
        <translation>单击分割：画笔绘制该分割，所有视图定位到它；双击：重命名 / 颜色</translation>
    </message>
    <message>
        <source>Drag a handle</source>
        <translation>拖动控制点</translation>
    </message>
    <message>
        <source>edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Delete</translation>
    </message>
    <message>
        <source>remove the selected measurement</source>
        <translation>删除所选测量</translation>
    </message>
    <message>
        <source>Esc</source>
        <translation>Esc</translation>
    </message>
    <message>
        <source>back to navigation</source>
        <translation>返回浏览</translation>
    </message>
    <message>
        <source>Ctrl+Z / Ctrl+Shift+Z</source>
        <translation>Ctrl+Z / Ctrl+Shift+Z</translation>
    </message>
    <message>
        <source>undo / redo</source>
        <translation>撤销 / 重做</translation>
    </message>
    <message>
        <source>3D view</source>
        <translation>3D 视图</translation>
    </message>
    <message>
        <source>Drag / wheel</source>
        <translation>拖动 / 滚轮</translation>
    </message>
    <message>
        <source>rotate / zoom</source>
        <translation>旋转 / 缩放</translation>
    </message>
    <message>
        <source>1 2 3 4</source>
        <translation>1 2 3 4</translation>
    </message>
    <message>
        <source>bone, soft tissue, lung, MIP</source>
        <translation>骨、软组织、肺、MIP</translation>
    </message>
    <message>
        <source>anterior view</source>
        <translation>前面观</translation>
    </message>
    <message>
        <source>Ctrl+D</source>
        <translation>Ctrl+D</translation>
    </message>
    <message>
        <source>detect lung nodules</source>
        <translation>检测肺结节</translation>
    </message>
    <message>
        <source>N / P</source>
        <translation>N / P</translation>
    </message>
    <message>
        <source>next / previous finding</source>
        <translation>下一个 / 上一个发现</translation>
    </message>
    <message>
        <source>A / R</source>
        <translation>A / R</translation>
    </message>
    <message>
        <source>accept / reject (reason from the panel), then the next finding (a setting in the panel)</source>
        <translation>接受 / 拒绝（理由来自面板），然后转到下一个发现（面板中的设置）</translation>
    </message>
    <message>
        <source>E</source>
        <translation>E</translation>
    </message>
    <message>
        <source>edit: drag the diameter&apos;s handles</source>
        <translation>编辑：拖动直径的控制点</translation>
    </message>
    <message>
        <source>M</source>
        <translation>M</translation>
    </message>
    <message>
        <source>link the finding to its mask (the segment at its centre, else a new one): its mean axis is its Lung-RADS size</source>
        <translation>将发现与其掩膜关联（其中心处的分割，否则新建一个）：其平均径线即 Lung-RADS 大小</translation>
    </message>
    <message>
        <source>Ctrl+Shift+F</source>
        <translation>Ctrl+Shift+F</translation>
    </message>
    <message>
        <source>finalize the report: DICOM SEG + SR + key images + PDF (summary first)</source>
        <translation>报告定稿：DICOM SEG + SR + 关键图像 + PDF（先显示摘要）</translation>
    </message>
    <message>
        <source>Registration (prior to current)</source>
        <translation>配准（先前检查到当前序列）</translation>
    </message>
    <message>
        <source>Ctrl+R</source>
        <translation>Ctrl+R</translation>
    </message>
    <message>
        <source>register the comparison (prior) to the current series (engine in the Registration dock)</source>
        <translation>将对比（先前）序列配准到当前序列（算法在配准面板中选择）</translation>
    </message>
    <message>
        <source>F</source>
        <translation>F</translation>
    </message>
    <message>
        <source>fusion of the registered prior: off, blend, checkerboard, difference, colour</source>
        <translation>已配准先前检查的融合：关闭、混合、棋盘格、差值、彩色</translation>
    </message>
    <message>
        <source>Shift+F</source>
        <translation>Shift+F</translation>
    </message>
    <message>
        <source>map: Jacobian determinant, displacement, local NCC (alignment quality), off</source>
        <translation>图：雅可比行列式、位移、局部 NCC（对齐质量）、关闭</translation>
    </message>
    <message>
        <source>- / =</source>
        <translation>- / =</translation>
    </message>
    <message>
        <source>fusion opacity or checkerboard squares</source>
        <translation>融合不透明度或棋盘格大小</translation>
    </message>
    <message>
        <source>Files</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Ctrl+O / Ctrl+Shift+O</source>
        <translation>Ctrl+O / Ctrl+Shift+O</translation>
    </message>
    <message>
        <source>open a folder / a file (or drop it on the window)</source>
        <translation>打开文件夹 / 文件（或拖放到窗口）</translation>
    </message>
    <message>
        <source>Ctrl+Shift+C / Ctrl+Shift+S</source>
        <translation>Ctrl+Shift+C / Ctrl+Shift+S</translation>
    </message>
    <message>
        <source>copy the view / save it as PNG</source>
        <translation>复制视图 / 保存为 PNG</translation>
    </message>
    <message>
        <source>Ctrl+I</source>
        <translation>Ctrl+I</translation>
    </message>
    <message>
        <source>DICOM header of the image under the crosshair</source>
        <translation>十字线处图像的 DICOM 头信息</translation>
    </message>
    <message>
        <source>F1</source>
        <translation>F1</translation>
    </message>
    <message>
        <source>this list</source>
        <translation>本列表</translation>
    </message>
    <message>
        <source>Shortcuts</source>
        <translation>快捷键</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message>
        <source>series %1</source>
        <translation>序列 %1</translation>
    </message>
    <message>
        <source>Local</source>
        <translation>本地</translation>
    </message>
    <message>
        <source>PACS</source>
        <translation>PACS</translation>
    </message>
    <message>
        <source>Search and retrieve from the department&apos;s archive (nodes in %1)</source>
        <translation>在科室的影像归档中检索和调取（节点列表见 %1）</translation>
    </message>
    <message>
        <source>A report is still being sent; this one was not sent</source>
        <translation>上一份报告仍在发送中；本份未发送</translation>
    </message>
    <message>
        <source>Sending the report to %1...</source>
        <translation>正在将报告发送至 %1……</translation>
    </message>
    <message>
        <source>sent %1 to %2: %3</source>
        <translation>已发送 %1 至 %2：%3</translation>
    </message>
    <message>
        <source>Report sent to %1: %2 of %3 objects stored</source>
        <translation>报告已发送至 %1：%3 个对象中已存储 %2 个</translation>
    </message>
    <message>
        <source>The report was not sent: %1</source>
        <translation>报告未发送：%1</translation>
    </message>
    <message>
        <source>error: no DICOM files behind the open image to export</source>
        <translation>错误：当前图像没有可导出的 DICOM 文件</translation>
    </message>
    <message>
        <source>Storage receiver stopped</source>
        <translation>存储接收已停止</translation>
    </message>
    <message>
        <source>error: refused %1 from %2: %3</source>
        <translation>错误：已拒收来自 %2 的 %1：%3</translation>
    </message>
    <message>
        <source>Receiving as %1 on port %2 into %3</source>
        <translation>正在以 %1 在端口 %2 接收，存入 %3</translation>
    </message>
    <message>
        <source>Received %1 objects from the archive; listed under Local</source>
        <translation>已从归档接收 %1 个对象；已列入“本地”</translation>
    </message>
    <message>
        <source>Export &amp;anonymised...</source>
        <translation>匿名化导出(&amp;A)...</translation>
    </message>
    <message>
        <source>&amp;Receive from the archive</source>
        <translation>从归档接收(&amp;R)</translation>
    </message>
    <message>
        <source>A storage receiver (C-STORE) with the AE title and port of the PACS node list</source>
        <translation>存储接收端（C-STORE），使用 PACS 节点列表中的 AE 标题和端口</translation>
    </message>
    <message>
        <source>Showing what has arrived; the rest is still coming</source>
        <translation>正在显示已到达的图像；其余仍在传输</translation>
    </message>
    <message>
        <source>Opening %1 when the current read ends</source>
        <translation>当前读取结束后将打开 %1</translation>
    </message>
    <message>
        <source>An anonymised export is running</source>
        <translation>匿名化导出正在进行</translation>
    </message>
    <message>
        <source>Exporting %1 objects anonymised into %2...</source>
        <translation>正在将 %1 个对象匿名化导出至 %2...</translation>
    </message>
    <message>
        <source>PS3.15 basic profile</source>
        <translation>PS3.15 基本配置</translation>
    </message>
    <message>
        <source>dates kept</source>
        <translation>日期已保留</translation>
    </message>
    <message>
        <source>dates shifted by %1 days</source>
        <translation>日期平移 %1 天</translation>
    </message>
    <message>
        <source>descriptions kept</source>
        <translation>描述已保留</translation>
    </message>
    <message>
        <source>mapping in %1</source>
        <translation>映射文件 %1</translation>
    </message>
    <message>
        <source>Anonymised %1 objects into %2 (%3; %4 flagged for burned-in text)</source>
        <translation>已将 %1 个对象匿名化导出至 %2（%3；%4 个标记为含烧录文字）</translation>
    </message>
    <message>
        <source>The prior retrieved for patient %1 is in the local index; another patient is open now, so it was not opened as the comparison</source>
        <translation>为患者 %1 获取的先前检查已在本地索引中；当前打开的是另一位患者，因此未将其作为对比序列打开</translation>
    </message>
    <message>
        <source>%1 has no modality: recognised as %2 from its values (%3)%4</source>
        <translation>%1 未标明模态：根据数值识别为 %2（%3）%4</translation>
    </message>
    <message>
        <source>; values read in %1</source>
        <translation>；数值按 %1 读取</translation>
    </message>
    <message>
        <source>%1: fused in hot iron; F changes the fusion, Ctrl+R registers the pair</source>
        <translation>%1：以热铁色融合；F 切换融合方式，Ctrl+R 配准这一对图像</translation>
    </message>
    <message>
        <source>%1: F fuses the pair, Ctrl+R registers it</source>
        <translation>%1：F 融合这一对图像，Ctrl+R 进行配准</translation>
    </message>
    <message>
        <source>1 2 3 4 (PET)</source>
        <translation>1 2 3 4（PET）</translation>
    </message>
    <message>
        <source>SUV 0-3, 0-5, 0-10, 0-20 on a PET in SUV</source>
        <translation>SUV 单位的 PET：SUV 0-3、0-5、0-10、0-20</translation>
    </message>
    <message>
        <source>; fused PET %1 %2</source>
        <translation>；融合 PET %1 %2</translation>
    </message>
    <message>
        <source>; fused CT %1 HU</source>
        <translation>；融合 CT %1 HU</translation>
    </message>
    <message>
        <source>; fused %1 %2 %3</source>
        <translation>；融合 %1 %2 %3</translation>
    </message>
    <message>
        <source>comparison</source>
        <translation>对比序列</translation>
    </message>
</context>
<context>
    <name>lightbox::PacsNodesDialog</name>
    <message>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Echo</source>
        <translation>回显</translation>
    </message>
    <message>
        <source>PACS nodes</source>
        <translation>PACS 节点</translation>
    </message>
    <message>
        <source>Our AE title</source>
        <translation>本机 AE 标题</translation>
    </message>
    <message>
        <source>Our receiver port</source>
        <translation>本机接收端口</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>AET@host:port or DICOMweb URL</source>
        <translation>AET@主机:端口 或 DICOMweb 地址</translation>
    </message>
    <message>
        <source>Authentication</source>
        <translation>认证方式</translation>
    </message>
    <message>
        <source>User</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Secret in variable</source>
        <translation>密钥所在环境变量</translation>
    </message>
    <message>
        <source>Authentication: empty, basic or bearer (DICOMweb). The password or token is read from the named environment variable when the node is used; it is never saved.</source>
        <translation>认证方式：留空、basic 或 bearer（DICOMweb）。使用该节点时从指定的环境变量读取密码或令牌；从不保存。</translation>
    </message>
    <message>
        <source>Our AE title: %1</source>
        <translation>本机 AE 标题：%1</translation>
    </message>
    <message>
        <source>Row %1</source>
        <translation>第 %1 行</translation>
    </message>
    <message>
        <source>%1: a node needs a name</source>
        <translation>%1：节点需要名称</translation>
    </message>
    <message>
        <source>%1: authentication is empty, basic or bearer</source>
        <translation>%1：认证方式只能为空、basic 或 bearer</translation>
    </message>
    <message>
        <source>%1: authentication applies to DICOMweb URLs only</source>
        <translation>%1：认证仅适用于 DICOMweb 地址</translation>
    </message>
    <message>
        <source>%1: the name %2 is used twice</source>
        <translation>%1：名称 %2 重复</translation>
    </message>
    <message>
        <source>Saved to %1</source>
        <translation>已保存至 %1</translation>
    </message>
    <message>
        <source>Echo %1...</source>
        <translation>正在回显 %1……</translation>
    </message>
    <message>
        <source>%1: echo ok in %2 ms</source>
        <translation>%1：回显成功，用时 %2 毫秒</translation>
    </message>
</context>
<context>
    <name>lightbox::PacsPanel</name>
    <message>
        <source>%1: echo ok in %2 ms</source>
        <translation>%1：回显成功，用时 %2 毫秒</translation>
    </message>
    <message>
        <source>Echo</source>
        <translation>回显</translation>
    </message>
    <message>
        <source>Test the node (C-ECHO)</source>
        <translation>测试该节点（C-ECHO）</translation>
    </message>
    <message>
        <source>An archive of the node list, or AET@host:port</source>
        <translation>节点列表中的归档，或 AET@主机:端口</translation>
    </message>
    <message>
        <source>Patient name (* and ? allowed)</source>
        <translation>患者姓名（可用 * 和 ?）</translation>
    </message>
    <message>
        <source>Patient ID</source>
        <translation>患者编号</translation>
    </message>
    <message>
        <source>Study date: YYYYMMDD or YYYYMMDD-YYYYMMDD</source>
        <translation>检查日期：YYYYMMDD 或 YYYYMMDD-YYYYMMDD</translation>
    </message>
    <message>
        <source>Modality</source>
        <translation>模态</translation>
    </message>
    <message>
        <source>Accession number</source>
        <translation>检查号</translation>
    </message>
    <message>
        <source>Node</source>
        <translation>节点</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>ID</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>检索</translation>
    </message>
    <message>
        <source>Retrieve</source>
        <translation>调取</translation>
    </message>
    <message>
        <source>Retrieve the selected study or series into the local index (C-GET)</source>
        <translation>将选中的检查或序列调取到本地索引（C-GET）</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Study / series</source>
        <translation>检查 / 序列</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>图像数</translation>
    </message>
    <message>
        <source>Local</source>
        <translation>本地</translation>
    </message>
    <message>
        <source>Working...</source>
        <translation>处理中……</translation>
    </message>
    <message>
        <source>Patient ID %1, accession %2
%3</source>
        <translation>患者编号 %1，检查号 %2
%3</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>1 study</source>
        <translation>1 项检查</translation>
    </message>
    <message>
        <source>%1 studies</source>
        <translation>%1 项检查</translation>
    </message>
    <message>
        <source>1 series</source>
        <translation>1 个序列</translation>
    </message>
    <message>
        <source>%1 series</source>
        <translation>%1 个序列</translation>
    </message>
    <message>
        <source>%v of %m objects</source>
        <translation>%v / %m 个对象</translation>
    </message>
    <message>
        <source>%v objects</source>
        <translation>%v 个对象</translation>
    </message>
    <message>
        <source>%1 objects retrieved into the local index</source>
        <translation>已将 %1 个对象调取到本地索引</translation>
    </message>
    <message>
        <source>Cancelling after the object in progress...</source>
        <translation>正在取消（当前对象接收完后停止）……</translation>
    </message>
    <message>
        <source>the archive could not send %1 objects</source>
        <translation>归档有 %1 个对象未能发送</translation>
    </message>
    <message>
        <source>Nodes...</source>
        <translation>节点……</translation>
    </message>
    <message>
        <source>Edit the node list: archives, our AE title and receiver port</source>
        <translation>编辑节点列表：归档、本机 AE 标题和接收端口</translation>
    </message>
    <message>
        <source>suggested priors from the archive: %1</source>
        <translation>来自归档的建议先前检查：%1</translation>
    </message>
    <message>
        <source>%1 other studies of this patient on %2, %3 not in the local index</source>
        <translation>%2 上有该患者的其他检查 %1 个，其中 %3 个不在本地索引中</translation>
    </message>
    <message>
        <source>the archive is busy with another job: retrieve the prior once it has ended</source>
        <translation>归档正忙于另一项任务：请在其结束后再获取该先前检查</translation>
    </message>
</context>
<context>
    <name>lightbox::RegistrationController</name>
    <message>
        <source>Registration cancelled: another series was opened</source>
        <translation>配准已取消：打开了另一个序列</translation>
    </message>
    <message>
        <source>Saved registration not used: %1</source>
        <translation>未使用已保存的配准：%1</translation>
    </message>
    <message>
        <source>A registration is already running</source>
        <translation>已有配准正在运行</translation>
    </message>
    <message>
        <source>Open a current series and a prior (File &gt; Open comparison) first</source>
        <translation>请先打开当前序列和先前检查（文件 &gt; 打开对比序列）</translation>
    </message>
    <message>
        <source>Registration cancelled</source>
        <translation>配准已取消</translation>
    </message>
    <message>
        <source>Registration failed: %1</source>
        <translation>配准失败：%1</translation>
    </message>
    <message>
        <source>Registered prior to current: %1, %2 s, folding %3 %</source>
        <translation>已将先前检查配准到当前序列：%1，%2 秒，折叠 %3 %</translation>
    </message>
    <message>
        <source>%1; %2 stage dropped (%3), the previous stage&apos;s result is used</source>
        <translation>%1；已舍弃%2阶段（%3），使用上一阶段的结果</translation>
    </message>
    <message>
        <source>%1 (not saved: %2)</source>
        <translation>%1（未保存：%2）</translation>
    </message>
    <message>
        <source>Fusion not computed: %1</source>
        <translation>未计算融合：%1</translation>
    </message>
    <message>
        <source>linked through %1 registration</source>
        <translation>通过%1配准关联</translation>
    </message>
    <message>
        <source>linked through %1 registration - check the alignment: quality %2 (below %3)</source>
        <translation>通过%1配准关联 - 请检查对齐：质量 %2（低于 %3）</translation>
    </message>
    <message>
        <source>linked through %1 registration, quality %2</source>
        <translation>通过%1配准关联，质量 %2</translation>
    </message>
    <message>
        <source>linked by offset (not registered)</source>
        <translation>按偏移关联（未配准）</translation>
    </message>
    <message>
        <source>Jacobian det.</source>
        <translation>雅可比行列式</translation>
    </message>
    <message>
        <source>displacement mm</source>
        <translation>位移 mm</translation>
    </message>
    <message>
        <source>local NCC</source>
        <translation>局部NCC</translation>
    </message>
    <message>
        <source>registration: computing the fusion...</source>
        <translation>配准：正在计算融合…</translation>
    </message>
    <message>
        <source>fusion: %1 %2 %</source>
        <translation>融合：%1 %2 %</translation>
    </message>
    <message>
        <source>fusion: %1 %2 mm</source>
        <translation>融合：%1 %2 mm</translation>
    </message>
    <message>
        <source>fusion: %1</source>
        <translation>融合：%1</translation>
    </message>
    <message>
        <source>Jacobian determinant constant = %1 (%2: no deformation field)</source>
        <translation>雅可比行列式恒为 %1（%2：无形变场）</translation>
    </message>
    <message>
        <source>map: %1</source>
        <translation>映射图：%1</translation>
    </message>
    <message>
        <source>; </source>
        <translation>；</translation>
    </message>
    <message>
        <source>linked as acquired (scanner coordinates, not registered: %1)</source>
        <translation>按采集位置联动（扫描仪坐标，未配准：%1）</translation>
    </message>
</context>
<context>
    <name>lightbox::RegistrationPanel</name>
    <message>
        <source>%1 %p%</source>
        <translation>%1 %p%</translation>
    </message>
    <message>
        <source>Engine</source>
        <translation>引擎</translation>
    </message>
    <message>
        <source>Register (Ctrl+R)</source>
        <translation>配准 (Ctrl+R)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Fusion (F)</source>
        <translation>融合 (F)</translation>
    </message>
    <message>
        <source>Opacity (- / =)</source>
        <translation>不透明度 (- / =)</translation>
    </message>
    <message>
        <source>Squares (- / =)</source>
        <translation>方格 (- / =)</translation>
    </message>
    <message>
        <source>Map (Shift+F)</source>
        <translation>映射图 (Shift+F)</translation>
    </message>
    <message>
        <source>Registering</source>
        <translation>正在配准</translation>
    </message>
    <message>
        <source>The learned engine cannot run: %1</source>
        <translation>学习型引擎无法运行：%1</translation>
    </message>
    <message>
        <source>colour (prior magenta, current green)</source>
        <translation>彩色（先前检查为品红，当前序列为绿色）</translation>
    </message>
    <message>
        <source>No comparison (prior) open</source>
        <translation>未打开对比序列（先前检查）</translation>
    </message>
    <message>
        <source>&amp;Register prior to current</source>
        <translation>将先前检查配准到当前序列(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Cancel registration</source>
        <translation>取消配准(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Engine</source>
        <translation>引擎(&amp;E)</translation>
    </message>
    <message>
        <source>Next &amp;fusion mode (off, blend, checkerboard, difference, colour)</source>
        <translation>下一融合模式（关闭、混合、棋盘格、差值、彩色）(&amp;F)</translation>
    </message>
    <message>
        <source>Next &amp;map (Jacobian, displacement, local NCC, off)</source>
        <translation>下一映射图（雅可比行列式、位移、局部NCC、关闭）(&amp;M)</translation>
    </message>
    <message>
        <source>Fusion stronger / larger squares</source>
        <translation>融合增强 / 方格增大</translation>
    </message>
    <message>
        <source>Fusion weaker / smaller squares</source>
        <translation>融合减弱 / 方格减小</translation>
    </message>
</context>
<context>
    <name>lightbox::ReportPdf</name>
    <message>
        <source>not recorded</source>
        <translation>未记录</translation>
    </message>
    <message>
        <source>female</source>
        <translation>女</translation>
    </message>
    <message>
        <source>male</source>
        <translation>男</translation>
    </message>
    <message>
        <source>other</source>
        <translation>其他</translation>
    </message>
    <message>
        <source>ruler</source>
        <translation>标尺</translation>
    </message>
    <message>
        <source>mask</source>
        <translation>掩膜</translation>
    </message>
    <message>
        <source>AI</source>
        <translation>AI</translation>
    </message>
    <message>
        <source>unmeasured</source>
        <translation>未测量</translation>
    </message>
    <message>
        <source>not measured</source>
        <translation>未测量</translation>
    </message>
    <message>
        <source>%1 (AI: %2)</source>
        <translation>%1（AI：%2）</translation>
    </message>
    <message>
        <source>accepted</source>
        <translation>已接受</translation>
    </message>
    <message>
        <source>edited</source>
        <translation>已编辑</translation>
    </message>
    <message>
        <source>rejected</source>
        <translation>已拒绝</translation>
    </message>
    <message>
        <source>undecided</source>
        <translation>未决定</translation>
    </message>
    <message>
        <source>, </source>
        <comment>between the items of a list</comment>
        <translation>、</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>Diameter %1 (%2)</source>
        <translation>直径 %1（%2）</translation>
    </message>
    <message>
        <source>Mask %1</source>
        <translation>掩膜长径 x 短径 %1</translation>
    </message>
    <message>
        <source>Volume %1</source>
        <translation>体积 %1</translation>
    </message>
    <message>
        <source>Mean %1%2 (SD %3)</source>
        <translation>均值 %1%2（标准差 %3）</translation>
    </message>
    <message>
        <source>No mask: the marker is the AI&apos;s centre</source>
        <translation>无掩膜：标记为 AI 给出的中心</translation>
    </message>
    <message>
        <source>AI score %1</source>
        <translation>AI 评分 %1</translation>
    </message>
    <message>
        <source>Lung-RADS %1</source>
        <translation>Lung-RADS %1 类</translation>
    </message>
    <message>
        <source>Green: mask outline. Orange: long axis. Cyan: short axis.</source>
        <translation>绿色：掩膜轮廓。橙色：长径。青色：短径。</translation>
    </message>
    <message>
        <source>Yellow: the finding&apos;s centre.</source>
        <translation>黄色：该发现的中心。</translation>
    </message>
    <message>
        <source>Lightbox report</source>
        <translation>Lightbox 报告</translation>
    </message>
    <message>
        <source>Patient</source>
        <translation>患者</translation>
    </message>
    <message>
        <source>Patient ID</source>
        <translation>患者编号</translation>
    </message>
    <message>
        <source>Birth date</source>
        <translation>出生日期</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>性别</translation>
    </message>
    <message>
        <source>Study date</source>
        <translation>检查日期</translation>
    </message>
    <message>
        <source>Study</source>
        <translation>检查</translation>
    </message>
    <message>
        <source>Accession</source>
        <translation>检查号</translation>
    </message>
    <message>
        <source>Series</source>
        <translation>序列</translation>
    </message>
    <message>
        <source>Series number</source>
        <translation>序列号</translation>
    </message>
    <message>
        <source>Modality</source>
        <translation>模态</translation>
    </message>
    <message>
        <source>Report version</source>
        <translation>报告版本</translation>
    </message>
    <message>
        <source>Finalized at</source>
        <translation>定稿时间</translation>
    </message>
    <message>
        <source>Reader</source>
        <translation>阅片医师</translation>
    </message>
    <message>
        <source>Change since the prior</source>
        <translation>与先前检查相比的变化</translation>
    </message>
    <message>
        <source>Change since the prior of %1</source>
        <translation>与先前检查（%1）相比的变化</translation>
    </message>
    <message>
        <source>not compared</source>
        <translation>未比较</translation>
    </message>
    <message>
        <source>none (new)</source>
        <translation>无（新发）</translation>
    </message>
    <message>
        <source>%1 days</source>
        <translation>%1 天</translation>
    </message>
    <message>
        <source>%1
(%2 mm away)</source>
        <translation>%1
（相距 %2 mm）</translation>
    </message>
    <message>
        <source>AI proposal</source>
        <translation>AI 提示</translation>
    </message>
    <message>
        <source>(%1 mm)</source>
        <translation>（%1 mm）</translation>
    </message>
    <message>
        <source>(%1 mm3, %2)</source>
        <translation>（%1 mm3，%2）</translation>
    </message>
    <message>
        <source>ID</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>Prior nodule</source>
        <translation>先前结节</translation>
    </message>
    <message>
        <source>Mean diameter
(change)</source>
        <translation>平均直径
（变化）</translation>
    </message>
    <message>
        <source>Volume change</source>
        <translation>体积变化</translation>
    </message>
    <message>
        <source>Volume-doubling time</source>
        <translation>体积倍增时间</translation>
    </message>
    <message>
        <source>Growth
(v2022)</source>
        <translation>生长
（v2022）</translation>
    </message>
    <message>
        <source>Interval %1 days. Growth: mean diameter up by more than 1.5 mm (Lung-RADS v2022); matched through the registration of the prior to this series.</source>
        <translation>间隔 %1 天。生长：平均直径增大超过 1.5 mm（Lung-RADS v2022）；通过先前检查与本序列的配准进行匹配。</translation>
    </message>
    <message>
        <source>Interval unknown (a study date is missing): no doubling time. Growth: mean diameter up by more than 1.5 mm (Lung-RADS v2022).</source>
        <translation>间隔未知（缺少检查日期）：无倍增时间。生长：平均直径增大超过 1.5 mm（Lung-RADS v2022）。</translation>
    </message>
    <message>
        <source>Findings</source>
        <translation>发现</translation>
    </message>
    <message>
        <source>No nodule was accepted.</source>
        <translation>未接受任何结节。</translation>
    </message>
    <message>
        <source>%1
(%2)</source>
        <translation>%1
（%2）</translation>
    </message>
    <message>
        <source>no mask</source>
        <translation>无掩膜</translation>
    </message>
    <message>
        <source>(SD %1)</source>
        <translation>（标准差 %1）</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Diameter
(source)</source>
        <translation>直径
（来源）</translation>
    </message>
    <message>
        <source>Mask long x short axis</source>
        <translation>掩膜长径 x 短径</translation>
    </message>
    <message>
        <source>Volume</source>
        <translation>体积</translation>
    </message>
    <message>
        <source>Mean</source>
        <translation>均值</translation>
    </message>
    <message>
        <source>AI score</source>
        <translation>AI 评分</translation>
    </message>
    <message>
        <source>Lung-RADS
(this nodule)</source>
        <translation>Lung-RADS
（本结节）</translation>
    </message>
    <message>
        <source>Rejected AI proposals: %1.</source>
        <translation>已拒绝的 AI 提示：%1 个。</translation>
    </message>
    <message>
        <source>Rejected AI proposals: %1 (%2).</source>
        <translation>已拒绝的 AI 提示：%1 个（%2）。</translation>
    </message>
    <message>
        <source>Undecided AI proposals (not reported): %1.</source>
        <translation>未决定的 AI 提示（未纳入报告）：%1 个。</translation>
    </message>
    <message>
        <source>Accepted but not measured: %1.</source>
        <translation>已接受但未测量：%1。</translation>
    </message>
    <message>
        <source>Reader&apos;s measurements</source>
        <translation>阅片医师的测量</translation>
    </message>
    <message>
        <source>M%1 %2: %3</source>
        <translation>M%1 %2：%3</translation>
    </message>
    <message>
        <source>M%1 %2: %3 (%4)</source>
        <translation>M%1 %2：%3（%4）</translation>
    </message>
    <message>
        <source>Impression</source>
        <translation>印象</translation>
    </message>
    <message>
        <source>No impression entered.</source>
        <translation>未填写印象。</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Lung-RADS v2022 (decision support)</source>
        <translation>Lung-RADS v2022（辅助决策）</translation>
    </message>
    <message>
        <source>No category suggested.</source>
        <translation>未给出建议类别。</translation>
    </message>
    <message>
        <source>Category %1</source>
        <translation>Lung-RADS 类别 %1</translation>
    </message>
    <message>
        <source>Category %1, set by %2</source>
        <translation>Lung-RADS 类别 %1，由 %2 决定</translation>
    </message>
    <message>
        <source>Rule</source>
        <translation>规则</translation>
    </message>
    <message>
        <source>Management</source>
        <translation>处理建议</translation>
    </message>
    <message>
        <source>Suggested from the accepted nodules alone, as for a baseline screening CT: no prior exam, no benign calcification or fat, no category 4X features, no other findings. The reader owns the final category.</source>
        <translation>仅根据已接受的结节给出建议，按基线筛查 CT 处理：无先前检查、无良性钙化或脂肪、无 4X 类特征、无其他发现。最终类别由阅片医师确定。</translation>
    </message>
    <message>
        <source>Suggested from the accepted nodules and their change since the registered prior (v2022 new, growing and stable rules, stepped management one step per comparison); no benign calcification or fat, no category 4X features, no other findings. The reader owns the final category.</source>
        <translation>根据已接受的结节及其与已配准先前检查相比的变化给出建议（v2022 新发、增大和稳定规则，每次对比处理建议递进一级）；无良性钙化或脂肪、无 4X 类特征、无其他发现。最终类别由阅片医师确定。</translation>
    </message>
    <message>
        <source>Key images</source>
        <translation>关键图像</translation>
    </message>
    <message>
        <source>Axial slices in the lung window (W %1, L %2); left: the whole slice, right: the boxed region enlarged.</source>
        <translation>肺窗轴位图像（窗宽 %1，窗位 %2）；左：整层图像，右：方框区域放大。</translation>
    </message>
    <message>
        <source>Slices in a window from the image&apos;s value range; left: the whole slice, right: the boxed region enlarged.</source>
        <translation>按图像数值范围设定窗宽窗位的层面图像；左：整层图像，右：方框区域放大。</translation>
    </message>
    <message>
        <source>AI disclosure</source>
        <translation>AI 信息披露</translation>
    </message>
    <message>
        <source>Detection model</source>
        <translation>检测模型</translation>
    </message>
    <message>
        <source>Weights SHA-256</source>
        <translation>权重 SHA-256</translation>
    </message>
    <message>
        <source>Backend</source>
        <translation>推理后端</translation>
    </message>
    <message>
        <source>Licence</source>
        <translation>许可证</translation>
    </message>
    <message>
        <source>Intended use</source>
        <translation>预期用途</translation>
    </message>
    <message>
        <source>Operating point</source>
        <translation>工作点</translation>
    </message>
    <message>
        <source>%1 false positives per scan (score threshold %2)</source>
        <translation>每次扫描 %1 个假阳性（评分阈值 %2）</translation>
    </message>
    <message>
        <source>Ran at</source>
        <translation>运行时间</translation>
    </message>
    <message>
        <source>Run warnings</source>
        <translation>运行警告</translation>
    </message>
    <message>
        <source>No AI detection run is recorded for this series.</source>
        <translation>本序列无 AI 检测运行记录。</translation>
    </message>
    <message>
        <source>Segmentation of the masks</source>
        <translation>掩膜的分割</translation>
    </message>
    <message>
        <source>drawn by hand</source>
        <translation>手工勾画</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <source>%1: %2, made when the report was finalized</source>
        <translation>%1：%2，于报告定稿时生成</translation>
    </message>
    <message>
        <source>%1: %2, made during the review</source>
        <translation>%1：%2，于审阅过程中生成</translation>
    </message>
    <message>
        <source>%1: %2, weights SHA-256 %3, made when the report was finalized</source>
        <translation>%1：%2，权重 SHA-256 %3，于报告定稿时生成</translation>
    </message>
    <message>
        <source>%1: %2, weights SHA-256 %3, made during the review</source>
        <translation>%1：%2，权重 SHA-256 %3，于审阅过程中生成</translation>
    </message>
    <message>
        <source>No finding has a mask.</source>
        <translation>所有发现均无掩膜。</translation>
    </message>
    <message>
        <source>What the reader did with the AI proposals</source>
        <translation>阅片医师对 AI 提示的处理</translation>
    </message>
    <message>
        <source>type changed from %1 to %2</source>
        <translation>类型由%1改为%2</translation>
    </message>
    <message>
        <source>measured %1 mm with the ruler</source>
        <translation>标尺测量 %1 mm</translation>
    </message>
    <message>
        <source>; </source>
        <comment>between the changes</comment>
        <translation>；</translation>
    </message>
    <message>
        <source>Accepted as proposed: %1</source>
        <translation>按提示接受：%1</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Edited: %1</source>
        <translation>已编辑：%1</translation>
    </message>
    <message>
        <source>Rejected: %1</source>
        <translation>已拒绝：%1 个</translation>
    </message>
    <message>
        <source>Rejected: %1 (%2)</source>
        <translation>已拒绝：%1 个（%2）</translation>
    </message>
    <message>
        <source>Left undecided (not in the report): %1</source>
        <translation>未决定（未纳入报告）：%1 个</translation>
    </message>
    <message>
        <source>The AI is decision support. Every AI finding in this report was reviewed by the reader, who accepted, edited or rejected it; the reader owns the report, its findings, measurements and Lung-RADS category.</source>
        <translation>AI 仅用于辅助决策。本报告中的每一项 AI 发现均经阅片医师审阅，并由其接受、编辑或拒绝；阅片医师对本报告及其发现、测量和 Lung-RADS 类别负责。</translation>
    </message>
    <message>
        <source>The AI is decision support. Every AI finding in this report was reviewed by the reader, who accepted, edited or rejected it; the reader owns the report, its findings, measurements and Lung-RADS category. The masks of %1 were made automatically when the report was finalized and were not reviewed by the reader; their sizes do not set the reported diameters.</source>
        <translation>AI 仅用于辅助决策。本报告中的每一项 AI 发现均经阅片医师审阅，并由其接受、编辑或拒绝；阅片医师对本报告及其发现、测量和 Lung-RADS 类别负责。%1 的掩膜于报告定稿时自动生成，未经阅片医师审阅；其大小不用于确定报告中的直径。</translation>
    </message>
    <message>
        <source>Patient ID %1</source>
        <translation>患者编号 %1</translation>
    </message>
    <message>
        <source>Page %1 of %2</source>
        <translation>第 %1 页，共 %2 页</translation>
    </message>
    <message>
        <source>Lightbox report, version %1</source>
        <translation>Lightbox 报告，第 %1 版</translation>
    </message>
    <message>
        <source>Slice %1 of %2</source>
        <translation>第 %1 层，共 %2 层</translation>
    </message>
    <message>
        <source>Image %1</source>
        <translation>图像 %1</translation>
    </message>
    <message>
        <source> frame %1</source>
        <translation>，第 %1 帧</translation>
    </message>
    <message>
        <source>, nearest acquired</source>
        <translation>，最近的采集图像</translation>
    </message>
    <message>
        <source> (z %1 mm)</source>
        <translation>（z %1 mm）</translation>
    </message>
    <message>
        <source> (at %1 mm)</source>
        <translation>（位置 %1 mm）</translation>
    </message>
    <message>
        <source>Lightbox report: AI draft, not reviewed</source>
        <translation>Lightbox 报告：AI 草稿，未经审阅</translation>
    </message>
</context>
<context>
    <name>lightbox::ReportPlan</name>
    <message>
        <source>Report version %1 of series %2
  into %3
</source>
        <translation>序列 %2 的报告第 %1 版
  写入 %3
</translation>
    </message>
    <message>
        <source>  findings reported: %1</source>
        <translation>  报告的发现：%1 个</translation>
    </message>
    <message>
        <source>size unmeasured</source>
        <translation>未测量大小</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <source>AI size unmeasured</source>
        <translation>AI 未测量大小</translation>
    </message>
    <message>
        <source>AI %1</source>
        <translation>AI %1</translation>
    </message>
    <message>
        <source>
    %1 %2, %3, %4, %5</source>
        <translation>
    %1 %2，%3，%4，%5</translation>
    </message>
    <message>
        <source>, mask %1 made now by %2 (automatic)</source>
        <translation>，掩膜 %1，现由 %2 生成（自动）</translation>
    </message>
    <message>
        <source>, mask %1 (%2, %3)</source>
        <translation>，掩膜 %1（%2，%3）</translation>
    </message>
    <message>
        <source>, size confirmed by the reader</source>
        <translation>，大小已由阅片医师确认</translation>
    </message>
    <message>
        <source>, no mask</source>
        <translation>，无掩膜</translation>
    </message>
    <message>
        <source>, Lung-RADS %1</source>
        <translation>，Lung-RADS %1</translation>
    </message>
    <message>
        <source>
  rejected (counted, not reported): %1</source>
        <translation>
  已拒绝（计数，不报告）：%1 个</translation>
    </message>
    <message>
        <source>
  undecided (not reported): %1</source>
        <translation>
  未决定（不报告）：%1 个</translation>
    </message>
    <message>
        <source>
  will write: %1</source>
        <translation>
  将写入：%1</translation>
    </message>
    <message>
        <source>
  references version %1 (%2 objects); nothing is overwritten</source>
        <translation>
  引用第 %1 版（%2 个对象）；不覆盖任何文件</translation>
    </message>
    <message>
        <source>
  BLOCKED: %1</source>
        <translation>
  已阻止：%1</translation>
    </message>
    <message>
        <source>
  NEEDS CONFIRMATION: %1</source>
        <translation>
  需要确认：%1</translation>
    </message>
    <message>
        <source>
  warning: %1</source>
        <translation>
  警告：%1</translation>
    </message>
</context>
<context>
    <name>lightbox::SegmentPanel</name>
    <message>
        <source>fill + outline</source>
        <translation>填充 + 轮廓</translation>
    </message>
    <message>
        <source>fill</source>
        <translation>填充</translation>
    </message>
    <message>
        <source>outline</source>
        <translation>轮廓</translation>
    </message>
    <message>
        <source>unknown engine</source>
        <translation>未知引擎</translation>
    </message>
    <message>
        <source>automatic: %1</source>
        <translation>自动：%1</translation>
    </message>
    <message>
        <source>semi-automatic: %1 (%2% changed)</source>
        <translation>半自动：%1（已更改 %2%）</translation>
    </message>
    <message>
        <source>manual</source>
        <translation>手动</translation>
    </message>
    <message>
        <source>imported</source>
        <translation>导入</translation>
    </message>
    <message>
        <source>Engine %1 %2</source>
        <translation>引擎 %1 %2</translation>
    </message>
    <message>
        <source>weights sha256 %1</source>
        <translation>权重 sha256 %1</translation>
    </message>
    <message>
        <source>%1 voxels from the engine, %2 changed by the reader</source>
        <translation>引擎生成 %1 个体素，阅片者更改了 %2 个</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <source>Draw</source>
        <translation>绘制</translation>
    </message>
    <message>
        <source>Vol. mL</source>
        <translation>体积 mL</translation>
    </message>
    <message>
        <source>Axes mm</source>
        <translation>轴长 mm</translation>
    </message>
    <message>
        <source>Provenance</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Opacity</source>
        <translation>不透明度</translation>
    </message>
    <message>
        <source>Fill opacity of the selected segment on the slice views</source>
        <translation>所选分割在切片视图上的填充不透明度</translation>
    </message>
    <message>
        <source>Draw the selected segment filled and outlined, filled, or outlined</source>
        <translation>所选分割的绘制方式：填充加轮廓、仅填充或仅轮廓</translation>
    </message>
    <message>
        <source>Colour...</source>
        <translation>颜色...</translation>
    </message>
    <message>
        <source>Go to</source>
        <translation>转到</translation>
    </message>
    <message>
        <source>Move every view to the segment (its RECIST slice)</source>
        <translation>将所有视图移至该分割（其 RECIST 层面）</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Delete the selected segment (undoable)</source>
        <translation>删除所选分割（可撤销）</translation>
    </message>
    <message>
        <source>Threshold</source>
        <translation>阈值</translation>
    </message>
    <message>
        <source>Lowest value the threshold brush (Shift+H) and threshold in a box (Shift+Y) take</source>
        <translation>阈值画笔 (Shift+H) 和框内阈值 (Shift+Y) 采用的最低值</translation>
    </message>
    <message>
        <source>to</source>
        <translation>至</translation>
    </message>
    <message>
        <source>Highest value the threshold brush (Shift+H) and threshold in a box (Shift+Y) take</source>
        <translation>阈值画笔 (Shift+H) 和框内阈值 (Shift+Y) 采用的最高值</translation>
    </message>
    <message>
        <source>Colour of %1</source>
        <translation>%1 的颜色</translation>
    </message>
    <message>
        <source>Double click to change the colour</source>
        <translation>双击以更改颜色</translation>
    </message>
    <message>
        <source>%1 + outline</source>
        <translation>%1 + 轮廓</translation>
    </message>
    <message>
        <source>Fill opacity and outline on the slice views (set below for the selected segment)</source>
        <translation>切片视图上的填充不透明度与轮廓（在下方为所选分割设置）</translation>
    </message>
    <message>
        <source>RECIST long x short axis on the slice they are measured on</source>
        <translation>RECIST 长径 x 短径（在其测量所在的层面上）</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt;: %2&lt;br&gt;%3 mL, %4 x %5 mm on image %6</source>
        <translation>&lt;b&gt;%1&lt;/b&gt;：%2&lt;br&gt;%3 mL，%4 x %5 mm，位于第 %6 幅图像</translation>
    </message>
    <message>
        <source>No segments: Shift+G and click a lesion,&lt;br&gt;or paint with the brush</source>
        <translation>无分割：按 Shift+G 并单击病灶，&lt;br&gt;或用画笔绘制</translation>
    </message>
    <message>
        <source>&lt;br&gt;mean %1 %2 (SD %3)</source>
        <translation>&lt;br&gt;均值 %1 %2（标准差 %3）</translation>
    </message>
    <message>
        <source>&lt;br&gt;SUVmax %1, SUVmean %2, SUVpeak %3 (%4); TLG %5 (SUVmean x mL)</source>
        <translation>&lt;br&gt;SUVmax %1，SUVmean %2，SUVpeak %3（%4）；TLG %5（SUVmean × mL）</translation>
    </message>
</context>
<context>
    <name>lightbox::SliceViewport</name>
    <message>
        <source>%1 %2 at (%3, %4, %5) mm LPS</source>
        <translation>%1 %2，位于 (%3, %4, %5) mm LPS</translation>
    </message>
    <message>
        <source>Edit %1</source>
        <translation>编辑%1</translation>
    </message>
    <message>
        <source>Im</source>
        <comment>corner text: image number</comment>
        <translation>图像</translation>
    </message>
    <message>
        <source>thk</source>
        <comment>corner text: slice thickness</comment>
        <translation>层厚</translation>
    </message>
    <message>
        <source>zoom</source>
        <comment>corner text</comment>
        <translation>缩放</translation>
    </message>
    <message>
        <source>oblique</source>
        <comment>corner text: the plane</comment>
        <translation>斜位</translation>
    </message>
    <message>
        <source>inv</source>
        <comment>corner text: inverted grey scale</comment>
        <translation>反色</translation>
    </message>
    <message>
        <source>slab</source>
        <comment>corner text: MIP / MinIP / mean slab</comment>
        <translation>层块</translation>
    </message>
    <message>
        <source>axial</source>
        <comment>corner text: the plane</comment>
        <translation>轴位</translation>
    </message>
    <message>
        <source>coronal</source>
        <comment>corner text: the plane</comment>
        <translation>冠状位</translation>
    </message>
    <message>
        <source>sagittal</source>
        <comment>corner text: the plane</comment>
        <translation>矢状位</translation>
    </message>
</context>
<context>
    <name>lightbox::StudyBrowser</name>
    <message>
        <source>%1  [1 measurement]</source>
        <translation>%1  [1 个测量]</translation>
    </message>
    <message>
        <source>%1  [%2 measurements]</source>
        <translation>%1  [%2 个测量]</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Open as comparison (prior)</source>
        <translation>作为对比序列（先前检查）打开</translation>
    </message>
    <message>
        <source>Search name, ID, date, modality</source>
        <translation>搜索姓名、ID、日期、模态</translation>
    </message>
    <message>
        <source>Patient / study / series</source>
        <translation>患者 / 检查 / 序列</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Mod.</source>
        <translation>模态</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>图像数</translation>
    </message>
    <message>
        <source>(no name)</source>
        <translation>（无姓名）</translation>
    </message>
    <message>
        <source>(no ID)</source>
        <translation>（无 ID）</translation>
    </message>
    <message>
        <source>Suggested priors</source>
        <translation>建议的先前检查</translation>
    </message>
    <message>
        <source>Other studies of this patient, older first; double click opens one as the comparison</source>
        <translation>该患者的其他检查，较早的在前；双击可将其作为对比序列打开</translation>
    </message>
    <message>
        <source>Double click: open as comparison (prior)
%1</source>
        <translation>双击：作为对比序列（先前检查）打开
%1</translation>
    </message>
    <message>
        <source>same patient ID</source>
        <translation>相同患者 ID</translation>
    </message>
    <message>
        <source>same patient name and birth date</source>
        <translation>相同患者姓名和出生日期</translation>
    </message>
    <message>
        <source>(study)</source>
        <translation>（检查）</translation>
    </message>
    <message>
        <source>AI: %1</source>
        <translation>AI：%1</translation>
    </message>
    <message>
        <source>AI pre-read</source>
        <translation>AI 预读</translation>
    </message>
    <message>
        <source>1 finding</source>
        <translation>1 个发现</translation>
    </message>
    <message>
        <source>%1 findings</source>
        <translation>%1 个发现</translation>
    </message>
    <message>
        <source>Lung-RADS %1</source>
        <translation>Lung-RADS %1</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>skipped</source>
        <translation>已跳过</translation>
    </message>
    <message>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>pending</source>
        <translation>等待中</translation>
    </message>
    <message>
        <source>AI pre-read by lightbox batch, not reviewed
run: %1</source>
        <translation>AI 预读（lightbox batch），未经审阅
运行：%1</translation>
    </message>
    <message>
        <source>finished: %1</source>
        <translation>完成于：%1</translation>
    </message>
    <message>
        <source>a size unmeasured</source>
        <translation>有结节未测量</translation>
    </message>
    <message>
        <source>AI pre-read by lightbox batch, in review
run: %1</source>
        <translation>AI 预读（lightbox batch），审阅中
运行：%1</translation>
    </message>
    <message>
        <source>retrieving...</source>
        <translation>正在获取...</translation>
    </message>
    <message>
        <source>(on %1)</source>
        <translation>（位于 %1）</translation>
    </message>
    <message>
        <source>On the archive %1, not in the local index: double click retrieves it and opens it as the comparison</source>
        <translation>位于归档 %1，不在本地索引中：双击获取并作为对比序列打开</translation>
    </message>
</context>
<context>
    <name>lightbox::ViewerDocument</name>
    <message>
        <source>%1; segments of this series are not saved</source>
        <translation>%1；此序列的分割不会被保存</translation>
    </message>
    <message>
        <source>%1; kept as %2</source>
        <translation>%1；已另存为 %2</translation>
    </message>
    <message>
        <source>The segment tool&apos;s box works in the acquired slices: use the view of the acquisition plane</source>
        <translation>分割工具的框只能在采集层面上使用：请使用采集平面的视图</translation>
    </message>
    <message>
        <source>Threshold in a box works in the acquired slices: use the view of the acquisition plane</source>
        <translation>框内阈值只能在采集层面上使用：请使用采集平面的视图</translation>
    </message>
    <message>
        <source>255 segments on this series: no room for another</source>
        <translation>此序列已有 255 个分割：无法再添加</translation>
    </message>
    <message>
        <source>Threshold in a box: no voxel between %1 and %2 in the box</source>
        <translation>框内阈值：框内没有介于 %1 和 %2 之间的体素</translation>
    </message>
    <message>
        <source>Threshold in box</source>
        <translation>框内阈值</translation>
    </message>
    <message>
        <source>The brush paints in the acquired slices: use the view of the acquisition plane</source>
        <translation>画笔只能在采集层面上绘制：请使用采集平面的视图</translation>
    </message>
    <message>
        <source>Erase</source>
        <translation>擦除</translation>
    </message>
    <message>
        <source>Brush</source>
        <translation>画笔</translation>
    </message>
    <message>
        <source>%1: the label map is empty</source>
        <translation>%1：标签图为空</translation>
    </message>
    <message>
        <source>%1: 255 segments on this series: the rest of the file is left out</source>
        <translation>%1：此序列已有 255 个分割：文件的其余部分未导入</translation>
    </message>
    <message>
        <source>Open RTSTRUCT %1</source>
        <translation>打开 RTSTRUCT %1</translation>
    </message>
    <message>
        <source>Open DICOM SEG %1</source>
        <translation>打开 DICOM SEG %1</translation>
    </message>
    <message>
        <source>Open label map %1</source>
        <translation>打开标签图 %1</translation>
    </message>
    <message>
        <source>%1: on another grid than the series, resampled (nearest neighbour)</source>
        <translation>%1：与序列的网格不同，已重采样（最近邻）</translation>
    </message>
    <message>
        <source>%1: no measurement of this SR lies on the open series</source>
        <translation>%1：此 SR 中没有位于已打开序列上的测量</translation>
    </message>
    <message>
        <source>Open SR %1</source>
        <translation>打开 SR %1</translation>
    </message>
    <message>
        <source>Fill between slices</source>
        <translation>层间填充</translation>
    </message>
    <message>
        <source>Remove islands</source>
        <translation>移除孤岛</translation>
    </message>
    <message>
        <source>Smooth segment</source>
        <translation>平滑分割</translation>
    </message>
    <message>
        <source>Rename segment to %1</source>
        <translation>将分割重命名为 %1</translation>
    </message>
    <message>
        <source>Colour of %1</source>
        <translation>%1 的颜色</translation>
    </message>
    <message>
        <source>Delete segment %1</source>
        <translation>删除分割 %1</translation>
    </message>
    <message>
        <source>%1 image(s) could not be decoded and are blank: see Messages</source>
        <translation>%1 幅图像无法解码，显示为空白：请查看消息</translation>
    </message>
    <message>
        <source>AI: scan outside the model&apos;s intended use
(1 warning, see AI findings)</source>
        <translation>AI：扫描超出模型的预期用途
（1 条警告，请查看 AI 发现）</translation>
    </message>
    <message>
        <source>AI: scan outside the model&apos;s intended use
(%1 warnings, see AI findings)</source>
        <translation>AI：扫描超出模型的预期用途
（%1 条警告，请查看 AI 发现）</translation>
    </message>
    <message>
        <source>AI outside intended use: %1</source>
        <translation>AI 超出预期用途：%1</translation>
    </message>
    <message>
        <source>segment: the segmentation model cannot be used (%1); the classical engine runs instead</source>
        <translation>分割：无法使用分割模型（%1）；改用经典引擎</translation>
    </message>
    <message>
        <source>segment: still working on the previous click</source>
        <translation>分割：仍在处理上一次点击</translation>
    </message>
    <message>
        <source>segment: %1</source>
        <translation>分割：%1</translation>
    </message>
    <message>
        <source>segment: %1; nothing added (click inside the lesion, or outline it with the brush)</source>
        <translation>分割：%1；未添加任何内容（请在病灶内点击，或用画笔勾画）</translation>
    </message>
    <message>
        <source>segment: nothing found at the click</source>
        <translation>分割：点击处未找到任何内容</translation>
    </message>
    <message>
        <source>segment finding %1: %2; no mask made (outline it with the segment tool or the brush)</source>
        <translation>分割发现 %1：%2；未生成掩膜（请用分割工具或画笔勾画）</translation>
    </message>
    <message>
        <source>Segment %1</source>
        <translation>分割 %1</translation>
    </message>
    <message>
        <source>refine: only a segment the model made from a click can be refined</source>
        <translation>细化：只能细化由模型根据点击生成的分割</translation>
    </message>
    <message>
        <source>refine: still working on the previous click</source>
        <translation>细化：仍在处理上一次点击</translation>
    </message>
    <message>
        <source>refine: %1</source>
        <translation>细化：%1</translation>
    </message>
    <message>
        <source>refine: the click changes nothing (outside the model&apos;s field of view, or already as asked)</source>
        <translation>细化：此次点击未改变任何内容（位于模型视野之外，或已符合要求）</translation>
    </message>
    <message>
        <source>refine: the model found nothing with these clicks; the segment is unchanged</source>
        <translation>细化：模型根据这些点击未找到任何内容；分割未改变</translation>
    </message>
    <message>
        <source>Refine %1 (add click)</source>
        <translation>细化 %1（添加点击）</translation>
    </message>
    <message>
        <source>Refine %1 (remove click)</source>
        <translation>细化 %1（移除点击）</translation>
    </message>
    <message>
        <source>segment finding %1: the segment %2 is not its lesion (%3)</source>
        <translation>分割发现 %1：%2的分割不是其病灶（%3）</translation>
    </message>
    <message>
        <source>segment: the mask reaches the first or last slice of the box, which spans %1 mm across the slices (as deep as the rectangle is narrow): the lesion may go on beyond; a click inside it without a box lets the model find its extent</source>
        <translation>分割：掩膜到达方框的第一层或最后一层，方框在层面方向上跨越 %1 mm（深度与矩形的短边相同）：病灶可能延伸到其外；不画方框而在病灶内点击，模型会自行确定其范围</translation>
    </message>
    <message>
        <source>segment: the mask reaches the box&apos;s edge: the lesion may go on beyond it</source>
        <translation>分割：掩膜到达方框的边缘：病灶可能延伸到其外</translation>
    </message>
</context>
<context>
    <name>lightbox::VolumeViewport</name>
    <message>
        <source>3D view unavailable: %1</source>
        <translation>3D 视图不可用：%1</translation>
    </message>
    <message>
        <source>rendering...</source>
        <translation>正在渲染…</translation>
    </message>
    <message>
        <source>3D %1</source>
        <translation>3D %1</translation>
    </message>
</context>
</TS>
