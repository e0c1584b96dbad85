# Score the search on the held-out requests; below the floor fails the case.
python3 "$CASE/../../eval/search_eval.py" --score --set holdout.jsonl --floor-top1 80 --floor-top5 95 -v
