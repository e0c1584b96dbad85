# Score the search on the evaluation set; below the floor fails the case.
python3 "$CASE/../../eval/search_eval.py" --score --floor-top1 85 --floor-top5 95 -v
