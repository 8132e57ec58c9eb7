#include "cli/progress_board.h"

#include <algorithm>

namespace sluice {

void ProgressBoard::Show(const SyncProgressEvent& event) {
  Set(event.label, event.kind == SyncEvent::kDone ? "" : FormatProgressLine(event), false);
}

void ProgressBoard::Set(const std::string& label, std::string line, bool now) {
  auto found = std::find_if(lines_.begin(), lines_.end(), [&](const auto& entry) { return entry.first == label; });
  if (line.empty()) {
    if (found != lines_.end()) lines_.erase(found);
    now = true;
  } else if (found == lines_.end()) {
    lines_.emplace_back(label, std::move(line));
    now = true;
  } else {
    found->second = std::move(line);
  }
  auto at = std::chrono::steady_clock::now();
  if (!now && at - last_shown_ < std::chrono::milliseconds(100)) return;
  last_shown_ = at;
  std::string text;
  for (const auto& [name, shown] : lines_) text += (text.empty() ? "" : "\n") + shown;
  output_.Progress(text);
  shown_ = !text.empty();
}

void ProgressBoard::Clear() {
  lines_.clear();
  if (shown_) output_.Progress("");
  shown_ = false;
}

}  // namespace sluice
