"""What-if replay: how would a new policy file change the desk's decisions on stored messages?"""
